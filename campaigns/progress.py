"""The goal a campaign's counter works towards."""

STEPS = (1, 2.5, 5)  # 100, 250, 500, 1,000, 2,500, 5,000, 10,000 …
FIRST_GOAL = 100


def next_goal(count: int) -> int:
    """The smallest goal of the series 100, 250, 500, 1,000 … that is above `count`."""
    scale = FIRST_GOAL
    while True:
        for step in STEPS:
            goal = int(step * scale)
            if goal > count:
                return goal
        scale *= 10


def goal_for(count: int, goal: int | None) -> int:
    """The editors' goal if they set one (it stays, reached or not), else the automatic one."""
    return goal or next_goal(count)


def parse_milestones(text: str) -> list[int]:
    """ "1,000; 10 000" → [1000, 10000]: the thresholds an editor wrote, sorted, once each.

    Thresholds are separated by semicolons or line breaks; within one, commas, dots and
    spaces are thousands separators. ValueError names a part that is no whole number > 0.
    """
    thresholds = set()
    for part in text.replace("\n", ";").split(";"):
        digits = "".join(c for c in part if c not in ",. \u00a0\u202f\t")
        if not digits:
            continue
        if not digits.isdigit() or int(digits) < 1:
            raise ValueError(part.strip())
        thresholds.add(int(digits))
    return sorted(thresholds)
