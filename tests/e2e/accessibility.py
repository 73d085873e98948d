"""axe-core (shipped inside the axe-playwright-python wheel: nothing is fetched at run time)
run in the browser against a page as it stands, for the WCAG 2.x A and AA rules."""

from axe_playwright_python.sync_playwright import Axe

#: The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def wcag_violations(page) -> list[str]:
    """What axe finds wrong on `page` for WCAG A and AA, one readable line per element."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']}: {violation['help']} at {node['target']}: {node['failureSummary']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]
