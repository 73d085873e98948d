"""Hostile input shared by the property tests and the XSS checks."""

# Payloads that break out of text, attributes, URLs, comments, titles and template syntax.
# Each carries markup (<, >, " or '), so finding it verbatim in HTML means it was not escaped.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    "<body onload=alert(1)>",
    "<!--<img src=--><img src=x onerror=alert(1)//>",
    "<math><mtext></p><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<<SCRIPT>alert(1);//<</SCRIPT>",
    "<img src=`x` onerror=alert(1)>",
    "{{7*7}}<b>{% debug %}</b>",
    "\"><style>@import'//x'</style>",
    # Short enough for the 20-character postal code.
    "<script>x</script>",
    "'\"><svg/onload=f()>",
    "<i onclick=f()>x</i>",
]

# Short ones fit the 20-character postal code and phone fields.
SHORT_XSS_PAYLOADS = [payload for payload in XSS_PAYLOADS if len(payload) <= 20]

# Cells a spreadsheet would run as formulas when an export is opened.
FORMULA_PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
]
