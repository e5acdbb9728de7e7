-- Response counts kept as responses arrive and are erased, so that a page showing how many
-- responses a consultation has reads one row instead of counting every response (a popular
-- consultation has hundreds of thousands). Derived data: the trigger keeps it, nothing else
-- writes it, and it is not exported.
CREATE TABLE consultation_response_counts (
    consultation_id BIGINT PRIMARY KEY REFERENCES consultations (id) ON DELETE CASCADE,
    responses       BIGINT NOT NULL
);

INSERT INTO consultation_response_counts (consultation_id, responses)
    SELECT consultation_id, COUNT(*) FROM consultation_responses GROUP BY consultation_id;

CREATE FUNCTION count_consultation_responses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO consultation_response_counts (consultation_id, responses) VALUES (NEW.consultation_id, 1)
            ON CONFLICT (consultation_id) DO UPDATE
            SET responses = consultation_response_counts.responses + 1;
        RETURN NEW;
    END IF;
    UPDATE consultation_response_counts SET responses = responses - 1 WHERE consultation_id = OLD.consultation_id;
    RETURN OLD;
END
$$;

CREATE TRIGGER consultation_response_counted AFTER INSERT OR DELETE ON consultation_responses
    FOR EACH ROW EXECUTE FUNCTION count_consultation_responses();

-- The published responses of a consultation, in order, without reading the others.
CREATE INDEX consultation_responses_moderation ON consultation_responses (consultation_id, moderation, id);
