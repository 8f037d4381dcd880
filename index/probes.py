"""Sentences about nothing a plant document covers, to measure how much unrelated text matches an index.

Short table rows ("Fuel Cooler: Mechanical failure") attract any short sentence a little; how much
depends on the index. The best similarity these probes reach against an index's chunks is the level
at which a match means nothing there (see ``Index.off_topic_level``). Written for that purpose, never
tuned on an evaluation set: office, canteen, IT, weather, travel, sport, admin, personal life. None is
a paraphrase of the out-of-scope logs in benchmarks/data or the tests (those stay unseen by the level).
"""

PROBES = (
    "the canteen menu changes every Monday",
    "the conference call link in the invitation is wrong",
    "my laptop screen flickers when I open the lid",
    "the printer on the second floor is out of toner",
    "who is bringing cake for the birthday on Friday",
    "the car park gate card does not open the barrier",
    "heavy rain expected tomorrow morning",
    "the train to the city was delayed by twenty minutes",
    "our team won the football match on Saturday",
    "remember to submit your timesheet before the end of the month",
    "the vending machine took my coins and gave nothing",
    "the air freshener in the toilets smells too strong",
    "can someone water the plants in reception",
    "the new intern starts on Monday at nine",
    "the quarterly sales figures are in the shared folder",
    "I need a new password for the expense system",
    "lunch today is pasta with tomato sauce",
    "the fire drill is scheduled for next Wednesday",
    "the holiday calendar for next year has been published",
    "please return the projector remote to the front desk",
    "the microwave in the break room is dirty again",
    "parking spaces near the entrance are reserved for visitors",
    "the company newsletter is looking for photos",
    "my phone battery drains too fast",
    "the heating in the office is set too high",
    "the payroll will be paid one day early this month",
    "my passport needs renewing before the trip",
    "the new office chairs are more comfortable",
    "the tea bags in the kitchen are finished",
    "the website shows an error when I log in",
    "we are collecting donations for the local charity",
    "the bus service changes its timetable next week",
    "the Christmas party will be held at the hotel",
    "the lift to the third floor is slow",
    "someone left their umbrella in the meeting room",
    "the spreadsheet formula gives the wrong total",
    "I will be working from home tomorrow",
    "the bakery across the road has opened again",
    "the team photo will be taken after lunch",
    "please sign the card for the retirement gift",
)
