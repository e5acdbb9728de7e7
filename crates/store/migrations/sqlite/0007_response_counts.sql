-- Response counts kept as responses arrive and are erased, so that a page showing how many
-- responses a consultation has reads one row instead of counting every response (a popular
-- consultation has hundreds of thousands). Derived data: the triggers keep it, nothing else
-- writes it, and it is not exported.
CREATE TABLE consultation_response_counts (
    consultation_id INTEGER PRIMARY KEY REFERENCES consultations (id) ON DELETE CASCADE,
    responses       INTEGER NOT NULL
);

INSERT INTO consultation_response_counts (consultation_id, responses)
    SELECT consultation_id, COUNT(*) FROM consultation_responses GROUP BY consultation_id;

CREATE TRIGGER consultation_response_counted AFTER INSERT ON consultation_responses
BEGIN
    INSERT INTO consultation_response_counts (consultation_id, responses) VALUES (NEW.consultation_id, 1)
        ON CONFLICT (consultation_id) DO UPDATE SET responses = responses + 1;
END;

CREATE TRIGGER consultation_response_uncounted AFTER DELETE ON consultation_responses
BEGIN
    UPDATE consultation_response_counts SET responses = responses - 1 WHERE consultation_id = OLD.consultation_id;
END;

-- The published responses of a consultation, in order, without reading the others.
CREATE INDEX consultation_responses_moderation ON consultation_responses (consultation_id, moderation, id);
