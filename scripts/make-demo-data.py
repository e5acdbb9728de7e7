#!/usr/bin/env python3.11
"""Write the demo plans under data/demo/ from the hand-curated tables below.

    python3.11 scripts/make-demo-data.py [OUTPUT_DIR]

OUTPUT_DIR defaults to data/demo beside this script's folder. It writes:

    northshire-and-eastvale.toml      one fictional footprint, for `footprint stress`
    national/national.toml            national variables, for `footprint stress --national`
    national/*.toml                   five fictional footprints that share those variables

Every footprint, code and figure is made up. The codes E54000091 to E54000099 are not real
STP footprint codes (the real ones run from E54000005 to E54000048), so demo results can never
be mistaken for a real plan's.

The tables are the source: the .toml files are generated, so edit here and re-run rather than
editing the output. There is no randomness and no date in the output, so running the script
twice gives byte-identical files and a diff shows only deliberate changes.

The figures are tuned by hand against `footprint stress` so that the demos show something: the
single footprint balances in 2020/21 in about a quarter of scenarios and raises the unidentified
and hockey-stick checks (its hockey stick is only just over the 50% threshold), and the national
footprints range from one that usually balances to one that never does. After changing a
figure, re-run both:

    target/release/footprint stress data/demo/northshire-and-eastvale.toml
    target/release/footprint stress --national data/demo/national
"""

import math
import sys
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Value helpers: each returns what the plan format calls a *value*.


def tri(lo, mode, hi):
    return {"dist": "triangular", "min": lo, "mode": mode, "max": hi}


def pert(lo, mode, hi):
    return {"dist": "pert", "min": lo, "mode": mode, "max": hi}


def uniform(lo, hi):
    return {"dist": "uniform", "min": lo, "max": hi}


def normal(mean, sd):
    return {"dist": "normal", "mean": mean, "sd": sd}


def lognormal(mu, sigma):
    return {"dist": "lognormal", "mu": mu, "sigma": sigma}


def national(name):
    return {"national": name}


def initiative(note, id, name, setting, saving, start, ramp, delivery, *, slip=None,
               running=None, double=None, capital=None, overrun=None):
    """One [[initiative]]; `note` becomes the plain-English comment above it."""
    row = {
        "note": note,
        "id": id,
        "name": name,
        "setting": setting,
        "saving": saving,
        "start_month": start,
        "ramp_months": ramp,
        "delivery": delivery,
    }
    # Keys left at their defaults are left out, as a planner would write the file.
    for key, value in (("slippage_months", slip), ("recurrent_cost", running),
                       ("double_running", double), ("capital", capital),
                       ("cost_overrun", overrun)):
        if value is not None:
            row[key] = value
    return row


# Slippage shapes used again and again. Triangular with a long right tail because projects in
# the NHS run late far more often than early, and never start before their planned month.
SLIP_SHORT = tri(0, 1, 6)
SLIP_USUAL = tri(0, 3, 12)
SLIP_LONG = tri(0, 6, 18)
# Service changes that need formal public consultation (NHS Act 2006 s.242, scrutiny
# committees, the four reconfiguration tests) can slip by a year or more.
SLIP_CONSULTATION = tri(0, 9, 24)

# Shared records depend on several suppliers and every partner's systems; delays have a long
# tail with no natural upper limit (median about 4.5 months).
SLIP_IT = lognormal(1.5, 0.7)

# Capital schemes in the NHS usually come in over budget, rarely under.
OVERRUN_BUILD = pert(0.95, 1.05, 1.5)
OVERRUN_IT = pert(1.0, 1.15, 1.8)
OVERRUN_SMALL = pert(0.95, 1.0, 1.3)

# Near the England average for CCG allocations over the Spending Review 2015 period.
FUNDING_GROWTH = [0.031, 0.019, 0.021, 0.020, 0.022]
# At the low end of what planners assumed in 2016: with 4% to 5% a year of pressure, balancing
# would take savings well above the 2% of spend a year that NHS bodies have historically
# delivered, and the demo footprint would almost never balance.
DEMAND_GROWTH = tri(0.015, 0.02, 0.035)
COST_INFLATION = pert(0.007, 0.012, 0.025)

# The reasons behind the baseline, written into the files as comments.
FUNDING_GROWTH_NOTE = (
    "Allocations to 2018/19 were published as firm in January 2016, but those for 2019/20 and "
    "2020/21 were only indicative, so those two years carry a range.")
DEMAND_GROWTH_NOTE = (
    "Demography adds about 1% a year and rising use of services about as much again; the long "
    "upper tail allows for a bad run of winters.")
COST_INFLATION_NOTE = (
    "The public sector pay cap holds pay awards near 1% a year; drugs, clinical negligence "
    "premiums and the national living wage in care homes can push costs well above that.")
NATIONAL_VALUES_NOTE = (
    "Demand growth and cost inflation come from national.toml, so that in each scenario every "
    "footprint faces the same national pressures.")
OTHER_INCOME_NOTE = (
    "Sustainability and transformation funding: it moves from propping up provider deficits to "
    "national transformation programmes, so none is counted on after 2018/19.")


# --------------------------------------------------------------------------------------------
# Northshire and Eastvale: the main demo footprint, a mixed urban and rural area of about
# 1.3 million people with three acute trusts.

NORTHSHIRE_INITIATIVES = [
    # Acute and urgent care.
    initiative(
        "One front door at each A&E, with GP streaming and same-day emergency care, so fewer "
        "people are admitted.",
        "urgent-care", "Urgent and emergency care redesign", "acute",
        26.0, 12, 24, "medium", slip=SLIP_USUAL, running=4.0, double=6.0, capital=12.0,
        overrun=OVERRUN_SMALL),
    initiative(
        "Concentrate emergency surgery and acute medicine from two district hospitals on one "
        "major emergency centre; needs public consultation first.",
        "acute-reconfiguration", "Acute services reconfiguration", "acute",
        40.0, 30, 24, pert(0.3, 0.65, 0.95), slip=SLIP_CONSULTATION, running=3.0,
        double=12.0, capital=85.0, overrun=OVERRUN_BUILD),
    initiative(
        "Referral guidance, advice from consultants to GPs before referral, and fewer routine "
        "follow-up appointments.",
        "elective-outpatients", "Elective care and outpatients redesign", "acute",
        14.0, 12, 18, pert(0.5, 0.75, 0.95), slip=SLIP_USUAL, double=2.0),
    initiative(
        "Stop funding procedures with little clinical benefit, such as some knee arthroscopies "
        "and grommets, except where a panel agrees.",
        "limited-value", "Procedures of limited clinical value", "acute",
        4.0, 0, 6, "high"),
    initiative(
        "Each trust's own efficiency programme, following the Carter review of hospital "
        "productivity (theatres, length of stay, rostering).",
        "provider-productivity", "Provider productivity (Carter)", "acute",
        66.0, 0, 48, pert(0.6, 0.85, 1.0), double=2.0),
    initiative(
        "One pathology service for the three acute trusts, with a hub laboratory and "
        "essential services labs on each site.",
        "pathology", "Pathology network", "acute",
        6.0, 24, 18, "medium", slip=SLIP_USUAL, double=1.5, capital=6.0,
        overrun=OVERRUN_SMALL),
    initiative(
        "Move hyperacute stroke care onto one site with round-the-clock thrombolysis and "
        "early supported discharge at home.",
        "stroke", "Hyperacute stroke services", "acute",
        3.0, 36, 12, "medium", slip=SLIP_LONG, double=2.0, capital=8.0,
        overrun=OVERRUN_BUILD),
    initiative(
        "Diagnose cancer earlier through rapid diagnostic pathways, and follow people up "
        "according to their risk rather than on a fixed schedule.",
        "cancer", "Cancer pathways", "acute",
        3.0, 24, 24, "low", running=1.0, double=0.5),
    initiative(
        "Continuity of carer and more births in midwife-led units, as in Better Births.",
        "maternity", "Maternity (Better Births)", "acute",
        1.5, 24, 24, "low", running=1.0, double=0.5),

    # Community services and care outside hospital.
    initiative(
        "Community hubs where GPs, community nurses, therapists and social workers work as one "
        "team for a neighbourhood of 30,000 to 50,000 people.",
        "community-hubs", "Integrated community hubs", "community",
        14.0, 24, 24, "medium", slip=SLIP_USUAL, running=4.0, double=3.0, capital=24.0,
        overrun=OVERRUN_BUILD),
    initiative(
        "Step-up and step-down beds and rapid response at home, so older people avoid a "
        "hospital stay or leave sooner.",
        "intermediate-care", "Intermediate care", "community",
        10.0, 12, 12, "medium", slip=SLIP_USUAL, running=2.5, double=2.0),
    initiative(
        "A named GP and regular visits for every care home, with training for staff, to cut "
        "emergency admissions from care homes.",
        "care-homes", "Enhanced health in care homes", "community",
        5.0, 6, 12, "medium", slip=SLIP_SHORT, running=1.2),
    initiative(
        "Find frail older people early and give them a care plan, a named coordinator and a "
        "frailty unit at the front door.",
        "frailty", "Frailty pathway", "community",
        8.0, 18, 18, "low", slip=SLIP_USUAL, running=1.5, double=1.0),
    initiative(
        "Strength and balance classes and home hazard checks for people at risk of falling.",
        "falls-prevention", "Falls prevention", "prevention",
        2.5, 18, 18, "low", running=0.4),
    initiative(
        "Advance care plans and round-the-clock palliative care at home, so more people die "
        "where they choose.",
        "end-of-life", "End of life care", "community",
        3.5, 24, 12, "medium", running=0.8),
    initiative(
        "Children's community nursing and a paediatric assessment unit, so fewer children are "
        "admitted overnight.",
        "children", "Children's services", "community",
        2.5, 24, 12, "medium", running=0.8),
    initiative(
        "Pulmonary rehabilitation and community respiratory teams for people with COPD.",
        "respiratory", "Respiratory (COPD) pathway", "community",
        3.0, 24, 18, "medium", running=0.7, double=0.5),
    initiative(
        "A physiotherapist-led triage service for back, joint and muscle problems before "
        "referral to an orthopaedic surgeon.",
        "msk", "Musculoskeletal triage", "community",
        4.0, 12, 12, "medium", slip=SLIP_SHORT, running=1.0),

    # Mental health and learning disabilities.
    initiative(
        "Round-the-clock crisis teams and psychiatric liaison in every A&E (Core 24), which "
        "shortens stays for people with both physical and mental illness.",
        "mental-health-crisis", "Mental health crisis and liaison services", "mental-health",
        6.0, 18, 18, "medium", slip=SLIP_USUAL, running=2.5, double=1.0),
    initiative(
        "Bring people placed in hospitals far from home back to local beds and community "
        "support.",
        "out-of-area", "Out-of-area placements", "mental-health",
        8.0, 12, 18, pert(0.5, 0.8, 1.0), slip=SLIP_USUAL, running=2.0, double=2.0),
    initiative(
        "Talking therapies (IAPT) alongside diabetes, heart and lung clinics, where anxiety "
        "and depression drive extra use of services.",
        "iapt", "Integrated IAPT", "mental-health",
        2.0, 24, 24, "low", running=1.5, double=0.3),
    initiative(
        "Community eating disorder and crisis services for young people, so fewer go to "
        "specialist inpatient units.",
        "camhs", "Children and young people's mental health (CAMHS)", "mental-health",
        1.5, 12, 12, "low", running=0.8),
    initiative(
        "Move people with a learning disability or autism out of hospital into homes in the "
        "community (Transforming Care).",
        "transforming-care", "Learning disabilities (Transforming Care)", "social-care",
        3.0, 12, 24, "medium", slip=SLIP_LONG, running=1.5, double=2.0),

    # Primary care.
    initiative(
        "GP practices working together in groups of 30,000 to 50,000 patients, sharing staff "
        "and premises.",
        "primary-care-at-scale", "Primary care at scale", "primary",
        8.0, 18, 24, "medium", slip=SLIP_USUAL, running=2.0, double=1.0, capital=10.0,
        overrun=OVERRUN_SMALL),
    initiative(
        "GP appointments in the evening and at weekends; mostly a cost, offset a little by "
        "fewer A&E visits.",
        "extended-access", "Extended GP access", "primary",
        1.0, 18, 12, "low", running=3.0),
    initiative(
        "Pharmacists in practices and care homes reviewing medicines, cutting waste and "
        "harm from medicines.",
        "medicines-optimisation", "Medicines optimisation", "primary",
        10.0, 0, 12, "high"),
    initiative(
        "Switch to cheaper generic equivalents and stop prescribing items people can buy "
        "over the counter.",
        "prescribing", "Prescribing", "primary",
        8.0, 0, 6, pert(0.7, 0.9, 1.05)),

    # Prevention and wellbeing.
    initiative(
        "The national diabetes prevention programme for people at high risk of type 2 "
        "diabetes; savings come slowly.",
        "diabetes-prevention", "Diabetes prevention", "prevention",
        3.0, 12, 36, "low", running=0.6),
    initiative(
        "Stop-smoking support in hospitals, maternity and mental health services.",
        "smoking-cessation", "Smoking cessation", "prevention",
        2.0, 6, 36, "low", running=0.4),
    initiative(
        "Link workers in GP practices who refer people to community and voluntary groups "
        "rather than to medical care.",
        "social-prescribing", "Social prescribing", "prevention",
        1.5, 24, 24, "low", running=0.5),
    initiative(
        "Assessment, breaks and advice for unpaid carers, so they can keep caring and fewer "
        "people go into care homes.",
        "carers", "Carers support", "social-care",
        1.5, 12, 12, "low", running=0.5),

    # Social care.
    initiative(
        "Discharge to assess: people leave hospital as soon as they are well and are assessed "
        "for long-term care at home.",
        "integrated-discharge", "Integrated discharge", "social-care",
        8.0, 12, 12, "medium", slip=SLIP_USUAL, running=2.0, double=1.5),
    initiative(
        "Quicker, consistent continuing healthcare assessments and better-priced care "
        "packages.",
        "continuing-healthcare", "Continuing healthcare", "social-care",
        6.0, 6, 12, "high"),

    # Specialised services.
    initiative(
        "With NHS England specialised commissioning: fewer out-of-area specialist beds and "
        "better value from high-cost drugs and devices. The size is uncertain because NHS "
        "England, not the footprint, decides how much of the saving stays local.",
        "specialised", "Specialised commissioning", "specialised",
        normal(12.0, 2.0), 24, 24, "medium", slip=SLIP_USUAL, double=1.0),

    # Back office, estates and workforce.
    initiative(
        "A shared care record that GPs, hospitals, community and social care can all see.",
        "digital-records", "Shared digital care record", "corporate",
        6.0, 24, 24, pert(0.2, 0.6, 0.9), slip=SLIP_IT, running=1.5, double=0.5,
        capital=18.0, overrun=OVERRUN_IT),
    initiative(
        "One finance, HR and payroll service for all the NHS bodies in the footprint.",
        "back-office", "Shared back office", "corporate",
        14.0, 24, 24, "medium", slip=SLIP_USUAL, double=1.5, capital=3.0,
        overrun=OVERRUN_SMALL),
    initiative(
        "Sell or stop leasing surplus buildings once services have moved to the hubs and the "
        "main hospital site.",
        "estates", "Estates rationalisation", "corporate",
        10.0, 36, 24, "medium", slip=SLIP_LONG, double=1.0, capital=30.0,
        overrun=OVERRUN_BUILD),
    initiative(
        "Buy supplies, drugs and services together across the trusts.",
        "procurement", "Collaborative procurement", "corporate",
        8.0, 6, 12, "high"),
    initiative(
        "Cut agency staff spending with shared staff banks, price caps and recruitment of "
        "permanent staff.",
        "agency-spend", "Workforce: agency spend", "corporate",
        15.0, 0, 12, pert(0.6, 0.85, 1.0)),

    # The rest.
    initiative(
        "The part of the gap that no scheme yet covers; it will have to be found from 2019/20.",
        "unidentified", "Savings still to be identified", "unidentified",
        50.0, 36, 12, "low"),
]

NORTHSHIRE_CORRELATIONS = [
    ("Urgent care and intermediate care depend on the same community capacity: "
     "if one struggles, so does the other.",
     ["initiative.urgent-care.delivery", "initiative.intermediate-care.delivery"], 0.5),
    ("Faster demand growth fills the beds the urgent care redesign was meant to free.",
     ["baseline.demand_growth", "initiative.urgent-care.delivery"], -0.3),
    ("Estates savings need the hubs built first, so delays in one delay the other.",
     ["initiative.community-hubs.slippage_months", "initiative.estates.slippage_months"], 0.6),
    ("The reconfiguration and the stroke move go through the same consultation.",
     ["initiative.acute-reconfiguration.slippage_months",
      "initiative.stroke.slippage_months"], 0.7),
]

NORTHSHIRE = {
    "file": "northshire-and-eastvale.toml",
    "name": "Northshire and Eastvale (fictional)",
    "code": "E54000099",
    "about": "a mixed urban and rural footprint of about 1.3 million people with three acute "
             "trusts, a mental health trust, a community provider and two upper-tier councils",
    "funding_note": ("Spend ran £20m above recurrent funding in 2015/16: two of the three "
                     "acute trusts were in deficit."),
    "baseline": {
        "funding": 3180.0,
        "spend": 3200.0,
        "funding_growth": FUNDING_GROWTH[:3] + [uniform(0.015, 0.025),
                                                tri(0.015, 0.022, 0.027)],
        "demand_growth": DEMAND_GROWTH,
        "cost_inflation": COST_INFLATION,
        "other_income": [42.0, 30.0, 18.0, 0.0, 0.0],
    },
    "initiatives": NORTHSHIRE_INITIATIVES,
    "correlations": NORTHSHIRE_CORRELATIONS,
}

# --------------------------------------------------------------------------------------------
# Four more footprints for the national demo, chosen to differ: a small coastal footprint far
# from balance, a city footprint close to it, a rural one and a large one betting on a
# reconfiguration.

KESTRELFORD = {
    "file": "kestrelford-and-wyvern-coast.toml",
    "name": "Kestrelford and Wyvern Coast (fictional)",
    "code": "E54000091",
    "about": "a small coastal footprint of about 450,000 people, older than average, with one "
             "acute trust that has run a deficit for years",
    "funding_note": ("The acute trust's long-standing deficit puts spend £60m above funding "
                     "before the plan starts."),
    "growth_note": ("Growth a little below average: the CCG was already above its fair-shares "
                    "target."),
    "baseline": {
        "funding": 1040.0,
        "spend": 1100.0,
        "funding_growth": [0.029, 0.018, 0.020, 0.020, 0.021],
        "other_income": [25.0, 15.0, 5.0, 0.0, 0.0],
    },
    "initiatives": [
        initiative(
            "Each trust's own efficiency programme: theatres, length of stay and rostering.",
            "provider-productivity", "Provider productivity (Carter)", "acute",
            12.0, 0, 36, pert(0.5, 0.8, 1.0), double=0.5),
        initiative(
            "GP streaming at the front door and same-day emergency care.",
            "urgent-care", "Urgent and emergency care redesign", "acute",
            7.0, 12, 18, "low", slip=SLIP_USUAL, running=1.5, double=2.0),
        initiative(
            "Share vascular and some surgical services with a larger neighbouring trust.",
            "clinical-networks", "Clinical networks with a neighbouring trust", "acute",
            5.0, 24, 24, "low", slip=SLIP_LONG, double=1.5),
        initiative(
            "Rapid response and step-up beds, for an older population that fills hospital "
            "beds in winter.",
            "intermediate-care", "Intermediate care", "community",
            4.0, 12, 12, "medium", slip=SLIP_USUAL, running=1.5, double=1.0),
        initiative(
            "A named GP for every care home; many homes on the coast have high admission "
            "rates.",
            "care-homes", "Enhanced health in care homes", "community",
            2.0, 6, 12, "medium", running=0.5),
        initiative(
            "Bring people placed in hospitals far from home back to local services.",
            "out-of-area", "Out-of-area placements", "mental-health",
            2.5, 12, 18, "low", slip=SLIP_USUAL, running=0.8, double=0.8),
        initiative(
            "Practices merging into larger groups to survive GP shortages.",
            "primary-care-at-scale", "Primary care at scale", "primary",
            1.5, 18, 24, "low", running=0.8, double=0.3),
        initiative(
            "Pharmacist medicines reviews and cheaper generic prescribing.",
            "medicines", "Medicines optimisation and prescribing", "primary",
            4.0, 0, 12, "high"),
        initiative(
            "Stop-smoking and alcohol advice in hospital and primary care.",
            "prevention", "Smoking and alcohol prevention", "prevention",
            1.0, 12, 36, "low", running=0.3),
        initiative(
            "Cut agency nurse and locum doctor spending, the trust's biggest cost pressure.",
            "agency-spend", "Workforce: agency spend", "corporate",
            5.0, 0, 12, "medium"),
        initiative(
            "Close a community hospital that is expensive to run and little used.",
            "estates", "Estates rationalisation", "corporate",
            2.5, 30, 12, "medium", slip=SLIP_CONSULTATION, double=0.5, capital=8.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Nearly half the gap has no scheme behind it yet.",
            "unidentified", "Savings still to be identified", "unidentified",
            30.0, 36, 12, "low"),
    ],
    "correlations": [
        ("Both depend on the same community nursing workforce, which is hard to recruit.",
         ["initiative.urgent-care.delivery", "initiative.intermediate-care.delivery"], 0.5),
    ],
}

BRACKENBURY = {
    "file": "greater-brackenbury.toml",
    "name": "Greater Brackenbury (fictional)",
    "code": "E54000092",
    "about": "a city footprint of about 1 million people, younger and growing faster than "
             "average, whose trusts came into 2016 breaking even and whose main schemes were "
             "already under way",
    "funding_note": ("The trusts and CCGs came within £5m of breaking even in 2015/16."),
    "growth_note": ("Growth above average: the CCGs were below their fair-shares target and "
                    "the population is growing."),
    "baseline": {
        "funding": 2395.0,
        "spend": 2400.0,
        "funding_growth": [0.042, 0.027, 0.027, 0.026, 0.028],
        "other_income": [30.0, 25.0, 15.0, 0.0, 0.0],
    },
    "initiatives": [
        initiative(
            "Each trust's own efficiency programme, well established before the plan.",
            "provider-productivity", "Provider productivity (Carter)", "acute",
            70.0, 0, 36, "high", double=1.0),
        initiative(
            "Same-day emergency care and GP streaming at both emergency departments.",
            "urgent-care", "Urgent and emergency care redesign", "acute",
            22.0, 0, 18, "medium", slip=SLIP_SHORT, running=3.0, double=4.0, capital=6.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "Advice from consultants before referral and fewer follow-up appointments.",
            "elective-outpatients", "Elective care and outpatients redesign", "acute",
            16.0, 6, 12, "high", slip=SLIP_SHORT),
        initiative(
            "One pathology laboratory for the city's two trusts.",
            "pathology", "Pathology network", "acute",
            4.0, 12, 12, "medium", slip=SLIP_USUAL, double=1.0, capital=4.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "Risk-stratified follow-up for people who have finished cancer treatment.",
            "cancer", "Cancer pathways", "acute",
            2.0, 12, 18, "medium", running=0.5, double=0.5),
        initiative(
            "Neighbourhood teams of community nurses, therapists and social workers.",
            "community-teams", "Integrated neighbourhood teams", "community",
            14.0, 6, 18, "medium", slip=SLIP_USUAL, running=3.0, double=2.0),
        initiative(
            "Rapid response at home and step-up beds.",
            "intermediate-care", "Intermediate care", "community",
            6.0, 6, 12, "medium", running=2.0, double=1.0),
        initiative(
            "Physiotherapy-led triage for back, joint and muscle problems.",
            "msk", "Musculoskeletal triage", "community",
            3.0, 6, 12, "high", running=0.8),
        initiative(
            "Round-the-clock liaison psychiatry in both emergency departments.",
            "mental-health-liaison", "Mental health liaison (Core 24)", "mental-health",
            3.0, 12, 12, "medium", running=2.0),
        initiative(
            "Talking therapies alongside diabetes and respiratory clinics.",
            "iapt", "Integrated IAPT", "mental-health",
            1.5, 12, 18, "low", running=1.0, double=0.3),
        initiative(
            "Move people with a learning disability out of hospital into the community.",
            "transforming-care", "Learning disabilities (Transforming Care)", "social-care",
            2.0, 6, 18, "medium", running=1.0, double=1.0),
        initiative(
            "Practices working in networks of 30,000 to 50,000 patients.",
            "primary-care-at-scale", "Primary care at scale", "primary",
            4.0, 6, 18, "medium", running=1.0, double=0.5),
        initiative(
            "Evening and weekend GP appointments; a cost, offset a little by fewer A&E visits.",
            "extended-access", "Extended GP access", "primary",
            1.0, 12, 12, "low", running=3.0),
        initiative(
            "Pharmacist medicines reviews in practices and care homes.",
            "medicines-optimisation", "Medicines optimisation", "primary",
            9.0, 0, 12, "high"),
        initiative(
            "Cheaper generics and no prescriptions for items sold over the counter.",
            "prescribing", "Prescribing", "primary",
            7.0, 0, 6, "high"),
        initiative(
            "The national diabetes prevention programme.",
            "diabetes-prevention", "Diabetes prevention", "prevention",
            2.0, 6, 36, "low", running=0.5),
        initiative(
            "Link workers who refer people to community groups.",
            "social-prescribing", "Social prescribing", "prevention",
            1.0, 12, 24, "low", running=0.3),
        initiative(
            "Discharge to assess, run jointly with the city council.",
            "integrated-discharge", "Integrated discharge", "social-care",
            5.0, 6, 12, "medium", running=1.5, double=1.0),
        initiative(
            "Better value from high-cost drugs at the regional cancer and cardiac centre.",
            "specialised", "Specialised commissioning", "specialised",
            8.0, 12, 18, "medium", double=0.5),
        initiative(
            "A city-wide shared care record, building on one already used by GPs.",
            "digital-records", "Shared digital care record", "corporate",
            3.0, 6, 18, pert(0.4, 0.75, 1.0), running=1.0, double=0.5, capital=9.0,
            overrun=OVERRUN_IT),
        initiative(
            "One finance, HR and payroll service for both trusts and the CCG.",
            "back-office", "Shared back office", "corporate",
            8.0, 6, 18, "high", double=1.0, capital=2.0),
        initiative(
            "Shared staff bank and agency price caps across the city.",
            "agency-spend", "Workforce: agency spend", "corporate",
            12.0, 0, 12, "high"),
        initiative(
            "Buy supplies and services once for the city rather than trust by trust.",
            "procurement", "Collaborative procurement", "corporate",
            6.0, 6, 12, "high"),
    ],
    "correlations": [
        ("The neighbourhood teams take the patients that intermediate care discharges.",
         ["initiative.community-teams.delivery", "initiative.intermediate-care.delivery"], 0.4),
    ],
}

HOLLINSMOOR = {
    "file": "hollinsmoor-and-tarnside.toml",
    "name": "Hollinsmoor and Tarnside (fictional)",
    "code": "E54000093",
    "about": "a rural footprint of about 700,000 people spread over moors and market towns, "
             "with small hospitals that are hard to staff",
    "funding_note": ("The footprint broke even in 2015/16."),
    "growth_note": ("Growth a little above average: the allocation formula adds for rurality "
                    "and an older population."),
    "baseline": {
        "funding": 1600.0,
        "spend": 1600.0,
        "funding_growth": [0.032, 0.021, 0.022, 0.021, 0.023],
        "other_income": [20.0, 15.0, 8.0, 0.0, 0.0],
    },
    "initiatives": [
        initiative(
            "Each trust's own efficiency programme.",
            "provider-productivity", "Provider productivity (Carter)", "acute",
            40.0, 0, 36, pert(0.6, 0.85, 1.0), double=0.5),
        initiative(
            "Urgent treatment centres in market towns instead of a full A&E at the smallest "
            "hospital; needs public consultation.",
            "urgent-care", "Urgent and emergency care redesign", "acute",
            18.0, 18, 24, "medium", slip=SLIP_CONSULTATION, running=2.5, double=4.0,
            capital=15.0, overrun=OVERRUN_BUILD),
        initiative(
            "Outpatient clinics by video link and advice and guidance, to save long journeys.",
            "elective-outpatients", "Elective care and outpatients redesign", "acute",
            10.0, 6, 18, "medium", slip=SLIP_USUAL, double=1.0, capital=2.0),
        initiative(
            "Community hospitals become hubs with GPs, therapy and step-up beds.",
            "community-hubs", "Community hospital hubs", "community",
            10.0, 12, 24, "medium", slip=SLIP_LONG, running=2.5, double=2.0, capital=12.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Rapid response at home, which matters more where the hospital is an hour away.",
            "intermediate-care", "Intermediate care", "community",
            7.0, 6, 12, "medium", running=1.5, double=1.0),
        initiative(
            "Frailty assessment in GP practices and a named coordinator for frail people.",
            "frailty", "Frailty pathway", "community",
            4.0, 12, 18, "low", running=1.0, double=0.5),
        initiative(
            "Palliative care at home across a rural area, with the local hospices.",
            "end-of-life", "End of life care", "community",
            2.0, 12, 12, "medium", running=0.5),
        initiative(
            "Crisis teams and liaison psychiatry at both acute hospitals.",
            "mental-health-crisis", "Mental health crisis and liaison services",
            "mental-health",
            3.0, 12, 18, "medium", running=2.0, double=0.5),
        initiative(
            "Bring people placed far from home back to local beds.",
            "out-of-area", "Out-of-area placements", "mental-health",
            5.0, 6, 18, "medium", slip=SLIP_USUAL, running=1.0, double=1.0),
        initiative(
            "Small practices federate to share staff and keep rural surgeries open.",
            "primary-care-at-scale", "Primary care at scale", "primary",
            5.0, 12, 24, "medium", running=1.0, double=0.5, capital=4.0),
        initiative(
            "Pharmacist medicines reviews and generic prescribing.",
            "medicines", "Medicines optimisation and prescribing", "primary",
            9.0, 0, 12, "high"),
        initiative(
            "Strength and balance classes in village halls for people at risk of falls.",
            "falls-prevention", "Falls prevention", "prevention",
            1.0, 12, 24, "low", running=0.3),
        initiative(
            "Discharge to assess with the county council's reablement service.",
            "integrated-discharge", "Integrated discharge", "social-care",
            4.0, 12, 12, "medium", running=1.0, double=1.0),
        initiative(
            "Quicker continuing healthcare assessments and better-priced care packages.",
            "continuing-healthcare", "Continuing healthcare", "social-care",
            4.0, 6, 12, "high"),
        initiative(
            "Fewer people sent to specialist units in distant cities, with NHS England.",
            "specialised", "Specialised commissioning", "specialised",
            5.0, 12, 24, "medium", double=0.5),
        initiative(
            "A shared care record across the county.",
            "digital-records", "Shared digital care record", "corporate",
            2.5, 12, 24, pert(0.2, 0.6, 0.9), running=0.8, double=0.3, capital=8.0,
            overrun=OVERRUN_IT),
        initiative(
            "Shared back office and collaborative procurement across the trusts.",
            "back-office", "Shared back office and procurement", "corporate",
            12.0, 12, 18, "medium", double=1.0, capital=2.0),
        initiative(
            "Cut locum and agency spending, which is high where small hospitals struggle to "
            "recruit.",
            "agency-spend", "Workforce: agency spend", "corporate",
            8.0, 0, 12, pert(0.6, 0.85, 1.0)),
        initiative(
            "The rest of the gap, to be found later in the plan.",
            "unidentified", "Savings still to be identified", "unidentified",
            12.0, 36, 12, "low"),
    ],
    "correlations": [
        ("The hubs and the urgent treatment centres go through the same consultation.",
         ["initiative.urgent-care.slippage_months",
          "initiative.community-hubs.slippage_months"], 0.6),
    ],
}

SALTMARSH = {
    "file": "saltmarsh-and-upper-aldwin.toml",
    "name": "Saltmarsh and Upper Aldwin (fictional)",
    "code": "E54000094",
    "about": "a large footprint of about 1.6 million people whose plan rests on merging two "
             "acute trusts and reconfiguring three hospital sites",
    "funding_note": ("A £40m underlying deficit in 2015/16, nearly all at the two acute trusts "
                     "the plan merges."),
    "baseline": {
        "funding": 3860.0,
        "spend": 3900.0,
        "funding_growth": [0.031, 0.019, 0.021, 0.020, 0.022],
        "other_income": [50.0, 35.0, 20.0, 0.0, 0.0],
    },
    "initiatives": [
        initiative(
            "Each trust's own efficiency programme.",
            "provider-productivity", "Provider productivity (Carter)", "acute",
            70.0, 0, 48, pert(0.6, 0.85, 1.0), double=2.0),
        initiative(
            "Three hospital sites become one major emergency centre, one elective centre and "
            "one local hospital; needs public consultation.",
            "acute-reconfiguration", "Acute services reconfiguration", "acute",
            60.0, 30, 24, pert(0.25, 0.6, 0.95), slip=SLIP_CONSULTATION, running=4.0,
            double=18.0, capital=160.0, overrun=OVERRUN_BUILD),
        initiative(
            "Merge the two acute trusts' management and clinical support services.",
            "trust-merger", "Acute trust merger", "corporate",
            15.0, 18, 24, "medium", slip=SLIP_LONG, double=3.0, capital=10.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "GP streaming and same-day emergency care while the reconfiguration is prepared.",
            "urgent-care", "Urgent and emergency care redesign", "acute",
            25.0, 6, 18, "medium", slip=SLIP_USUAL, running=4.0, double=5.0, capital=8.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "Advice and guidance and fewer follow-up outpatient appointments.",
            "elective-outpatients", "Elective care and outpatients redesign", "acute",
            20.0, 6, 18, "medium", slip=SLIP_USUAL, double=2.0),
        initiative(
            "One pathology service for the merged trust.",
            "pathology", "Pathology network", "acute",
            6.0, 24, 18, "medium", slip=SLIP_USUAL, double=1.5, capital=7.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "One hyperacute stroke unit instead of three stroke wards.",
            "stroke", "Hyperacute stroke services", "acute",
            4.0, 36, 12, "medium", slip=SLIP_LONG, double=2.0, capital=10.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Fewer obstetric units and more midwife-led births.",
            "maternity", "Maternity (Better Births)", "acute",
            3.0, 30, 18, "low", slip=SLIP_CONSULTATION, running=1.0, double=1.0, capital=6.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Community hubs where primary, community and social care work as one team.",
            "community-hubs", "Integrated community hubs", "community",
            14.0, 18, 24, "medium", slip=SLIP_USUAL, running=6.0, double=3.0, capital=30.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Step-up and step-down beds and rapid response at home.",
            "intermediate-care", "Intermediate care", "community",
            10.0, 12, 12, "medium", slip=SLIP_USUAL, running=3.5, double=2.0),
        initiative(
            "A named GP for every care home.",
            "care-homes", "Enhanced health in care homes", "community",
            5.0, 6, 12, "medium", running=1.5),
        initiative(
            "A frailty unit at each emergency department and care plans for frail people.",
            "frailty", "Frailty pathway", "community",
            6.0, 12, 18, "low", running=1.5, double=1.0),
        initiative(
            "Community teams and rehabilitation for people with COPD.",
            "respiratory", "Respiratory (COPD) pathway", "community",
            3.0, 18, 18, "medium", running=0.8, double=0.5),
        initiative(
            "Physiotherapy-led triage for back, joint and muscle problems.",
            "msk", "Musculoskeletal triage", "community",
            4.0, 12, 12, "medium", running=1.0),
        initiative(
            "Crisis teams and round-the-clock liaison psychiatry.",
            "mental-health-crisis", "Mental health crisis and liaison services",
            "mental-health",
            6.0, 12, 18, "medium", running=3.5, double=1.0),
        initiative(
            "Bring people placed far from home back to local services.",
            "out-of-area", "Out-of-area placements", "mental-health",
            7.0, 6, 18, "medium", slip=SLIP_USUAL, running=2.0, double=2.0),
        initiative(
            "Community eating disorder services for young people.",
            "camhs", "Children and young people's mental health (CAMHS)", "mental-health",
            1.5, 12, 12, "low", running=0.8),
        initiative(
            "Move people with a learning disability out of hospital into the community.",
            "transforming-care", "Learning disabilities (Transforming Care)", "social-care",
            4.0, 12, 24, "medium", slip=SLIP_LONG, running=2.0, double=2.0),
        initiative(
            "Practices working in groups of 30,000 to 50,000 patients.",
            "primary-care-at-scale", "Primary care at scale", "primary",
            6.0, 12, 24, "medium", running=2.0, double=1.0, capital=12.0,
            overrun=OVERRUN_SMALL),
        initiative(
            "Pharmacist medicines reviews in practices and care homes.",
            "medicines-optimisation", "Medicines optimisation", "primary",
            10.0, 0, 12, "high"),
        initiative(
            "Cheaper generics and no prescriptions for over-the-counter items.",
            "prescribing", "Prescribing", "primary",
            8.0, 0, 6, "high"),
        initiative(
            "The national diabetes prevention programme.",
            "diabetes-prevention", "Diabetes prevention", "prevention",
            3.0, 12, 36, "low", running=0.7),
        initiative(
            "Discharge to assess with the three councils.",
            "integrated-discharge", "Integrated discharge", "social-care",
            8.0, 12, 12, "medium", slip=SLIP_USUAL, running=2.0, double=1.5),
        initiative(
            "Fewer out-of-area specialist beds and better value from high-cost drugs.",
            "specialised", "Specialised commissioning", "specialised",
            9.0, 12, 24, "medium", double=1.0),
        initiative(
            "A shared care record across the footprint.",
            "digital-records", "Shared digital care record", "corporate",
            6.0, 12, 24, pert(0.2, 0.55, 0.9), slip=SLIP_LONG, running=2.0, double=0.5,
            capital=22.0, overrun=OVERRUN_IT),
        initiative(
            "Sell the sites the reconfiguration frees up.",
            "estates", "Estates rationalisation", "corporate",
            12.0, 42, 12, "medium", slip=SLIP_LONG, double=1.0, capital=20.0,
            overrun=OVERRUN_BUILD),
        initiative(
            "Shared staff bank and agency price caps.",
            "agency-spend", "Workforce: agency spend", "corporate",
            20.0, 0, 12, pert(0.5, 0.8, 1.0)),
        initiative(
            "The part of the gap with no scheme behind it yet.",
            "unidentified", "Savings still to be identified", "unidentified",
            40.0, 36, 12, "low"),
    ],
    "correlations": [
        ("Estates savings come only from sites the reconfiguration frees.",
         ["initiative.acute-reconfiguration.slippage_months",
          "initiative.estates.slippage_months"], 0.6),
        ("The maternity changes go to public consultation with the reconfiguration.",
         ["initiative.acute-reconfiguration.slippage_months",
          "initiative.maternity.slippage_months"], 0.5),
    ],
}

# --------------------------------------------------------------------------------------------
# National demo: one draw of demand growth and cost inflation shared by every footprint, because
# these move together across England (the same pay award, the same tariff, the same winters).

NATIONAL_VARIABLES = [
    ("demand_growth", DEMAND_GROWTH, DEMAND_GROWTH_NOTE),
    ("cost_inflation", COST_INFLATION, COST_INFLATION_NOTE),
]
NATIONAL_CORRELATIONS = [
    ("High-demand years tend to be high-cost years: more agency staff, more drugs.",
     ["national.demand_growth", "national.cost_inflation"], 0.3),
]

# --------------------------------------------------------------------------------------------
# TOML writing. Hand-rolled (the standard library reads TOML but cannot write it) and kept to
# the small subset the plan format uses, with a fixed key order so the output is stable.

DIST_KEYS = ["national", "dist", "value", "min", "mode", "max", "mean", "sd", "mu", "sigma"]


def toml_number(x):
    if isinstance(x, bool):
        raise TypeError("booleans are not plan values")
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x}")
    text = repr(float(x))
    return text if any(c in text for c in ".eE") else text + ".0"


def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_value(v):
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, dict):
        unknown = set(v) - set(DIST_KEYS)
        if unknown:
            raise KeyError(f"unexpected keys in a value: {sorted(unknown)}")
        parts = [f"{k} = {toml_value(v[k])}" for k in DIST_KEYS if k in v]
        return "{ " + ", ".join(parts) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return toml_number(v)


def assign(key, v, width=96):
    """`key = value`, with an array that would run past `width` split one element a line."""
    line = f"{key} = {toml_value(v)}"
    if len(line) <= width or not isinstance(v, list):
        return [line]
    return [f"{key} = [", *(f"    {toml_value(x)}," for x in v), "]"]


def wrap_comment(text, width=96):
    lines, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines


INITIATIVE_KEYS = ["id", "name", "setting", "saving", "start_month", "ramp_months", "delivery",
                   "slippage_months", "recurrent_cost", "double_running", "capital",
                   "cost_overrun"]


def correlation_lines(note, names, rank):
    return ["", *wrap_comment(note), "[[correlation]]", *assign("variables", names),
            f"rank = {toml_number(rank)}"]


def plan_toml(fp, *, national_mode):
    """The text of one plan file. In national mode demand growth and cost inflation come from
    national.toml, so correlations with them are dropped (they may only be set there) and the
    [run] section is left out (national.toml's applies)."""
    out = wrap_comment(
        f"Demo data for Footprint: {fp['name']}, {fp['about']}. Fictional: every name, code "
        f"and figure is made up, and {fp['code']} is not a real STP footprint code, so results "
        f"from this file can never be taken for a real plan's.")
    out.append("# Generated by scripts/make-demo-data.py; edit that and re-run it, as changes "
               "here are lost.")
    out.append("")
    out.append("format = 1")
    out.append(f"name = {toml_string(fp['name'])}")
    out.append(f"code = {toml_string(fp['code'])}")
    out.append("first_year = 2016")
    out.append("years = 5")
    out.append("")
    if national_mode:
        out.append("# No [run] section: in national mode the one in national.toml applies to "
                   "every footprint.")
    else:
        out.append("[run]")
        out.append("samples = 100000")
        out.append("seed = 2016")
    out.append("")

    b = fp["baseline"]
    out.append("[baseline]")
    if "funding_note" in fp:
        out += wrap_comment(fp["funding_note"])
    out.append(f"funding = {toml_number(b['funding'])}")
    out.append(f"spend = {toml_number(b['spend'])}")
    if any(isinstance(g, dict) for g in b["funding_growth"]):
        out += wrap_comment(FUNDING_GROWTH_NOTE)
    elif "growth_note" in fp:
        out += wrap_comment(fp["growth_note"])
    out += assign("funding_growth", b["funding_growth"])
    if national_mode:
        out += wrap_comment(NATIONAL_VALUES_NOTE)
        out.append(f"demand_growth = {toml_value(national('demand_growth'))}")
        out.append(f"cost_inflation = {toml_value(national('cost_inflation'))}")
    else:
        out += wrap_comment(DEMAND_GROWTH_NOTE)
        out.append(f"demand_growth = {toml_value(b['demand_growth'])}")
        out += wrap_comment(COST_INFLATION_NOTE)
        out.append(f"cost_inflation = {toml_value(b['cost_inflation'])}")
    if "other_income" in b:
        out += wrap_comment(OTHER_INCOME_NOTE)
        out.append(f"other_income = {toml_value(b['other_income'])}")

    for row in fp["initiatives"]:
        out.append("")
        out += wrap_comment(row["note"])
        out.append("[[initiative]]")
        for key in INITIATIVE_KEYS:
            if key in row:
                out.append(f"{key} = {toml_value(row[key])}")

    baseline_vars = ("baseline.demand_growth", "baseline.cost_inflation")
    dropped = False
    for note, names, rank in fp["correlations"]:
        if national_mode and any(n in baseline_vars for n in names):
            dropped = True
            continue
        out += correlation_lines(note, names, rank)
    if dropped:
        out.append("")
        out += wrap_comment(
            "The single-footprint demo also correlates demand growth with urgent care "
            "delivery. That pair cannot be set here: correlations with national variables "
            "belong in national.toml, which cannot name a footprint's initiatives.")
    return "\n".join(out) + "\n"


def national_toml():
    out = wrap_comment(
        "National demo for Footprint: the national variables shared by the fictional "
        "footprints in this folder. In one scenario every footprint sees the same demand "
        "growth and cost inflation, so a bad year is bad everywhere at once and the national "
        "gap is wider than the footprints' gaps taken one by one would suggest.")
    out.append("# Generated by scripts/make-demo-data.py; edit that and re-run it, as changes "
               "here are lost.")
    out.append("")
    out.append("format = 1")
    out.append("")
    out.append("[run]")
    out.append("samples = 100000")
    out.append("seed = 44")
    for name, value, note in NATIONAL_VARIABLES:
        out.append("")
        out += wrap_comment(note)
        out.append("[[variable]]")
        out.append(f"name = {toml_string(name)}")
        out.append(f"value = {toml_value(value)}")
    for note, names, rank in NATIONAL_CORRELATIONS:
        out += correlation_lines(note, names, rank)
    return "\n".join(out) + "\n"


def check_footprint(fp):
    """Catch slips in the tables before they reach a file: the engine would reject them too,
    but with a position in the generated file rather than in this script."""
    ids = [row["id"] for row in fp["initiatives"]]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{fp['file']}: duplicate initiative ids {dupes}")
    for _, names, _ in fp["correlations"]:
        for n in names:
            parts = n.split(".")
            if parts[0] == "initiative" and parts[1] not in ids:
                raise ValueError(f"{fp['file']}: correlation names unknown initiative {n}")
    if len(fp["baseline"]["funding_growth"]) != 5:
        raise ValueError(f"{fp['file']}: funding_growth needs one value per plan year")


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 0 if argv[1:] in (["-h"], ["--help"]) else 2
    if len(argv) == 2:
        root = Path(argv[1])
    else:
        root = Path(__file__).resolve().parent.parent / "data" / "demo"
    national_dir = root / "national"
    national_dir.mkdir(parents=True, exist_ok=True)

    footprints = [NORTHSHIRE, KESTRELFORD, BRACKENBURY, HOLLINSMOOR, SALTMARSH]
    for fp in footprints:
        check_footprint(fp)

    files = {root / NORTHSHIRE["file"]: plan_toml(NORTHSHIRE, national_mode=False),
             national_dir / "national.toml": national_toml()}
    for fp in footprints:
        files[national_dir / fp["file"]] = plan_toml(fp, national_mode=True)

    for path, text in files.items():
        # newline="\n" so the bytes are the same on every platform.
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {path}")

    # `footprint stress --national` reads every plan in the folder, so a stale file left from an
    # older version of this script would silently join the national total.
    stray = sorted(p.name for p in national_dir.iterdir()
                   if p.suffix in (".toml", ".json") and p not in files)
    if stray:
        print(f"warning: {national_dir} also holds {', '.join(stray)}, which the national run "
              "will include", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
