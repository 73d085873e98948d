"""Template context every page shares."""

#: Names under which an address carries a secret: a path argument or a query parameter.
SECRET_PARTS = ("token",)


def third_party_scripts(request):
    """`third_party_scripts`: whether the organisation's and the page's scripts may run here.

    Not where the address carries a secret such as a confirmation token: any script on the
    page can read it from the address bar and use it (a confirmation link works for days).
    """
    match = request.resolver_match
    path_arguments = match.kwargs if match else {}
    carries_secret = any(name in path_arguments or name in request.GET for name in SECRET_PARTS)
    return {"third_party_scripts": not carries_secret}
