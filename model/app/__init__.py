"""The browser page for what-ifs (`wateralloc app`): pick a case, change a train, the drought
stage or cut, or the demand, and see the plan change.

    whatif.py   the changes a page can make, applied to a case, and the one re-solve function
    page.py     the Dash layout and callbacks (needs the optional `[app]` extra)
    serve.py    a free loopback port, and running the page there

The page never shows a figure from a solve that did not end optimal: every failure is shown
as the command line's message instead.
"""
