"""Recovery Pathways: the entry point. Every page is registered here, grouped as the menu shows them.

The menu shows each person the pages they can use (anonymous visitors: Find, the organisations, sign
in). Every page stays registered, hidden from people who cannot use it, so a shared link still opens
it: the page then offers to sign in right there, and signing in shows the page that was asked for.

`streamlit run app.py` finds the server at the end of this file (`app`, an st.App) and imports the file to
start it: the pages, and beside them the Open Referral read API at /api/ (oruk_api) and Find's printable
list at /print/find (ui/print_view.py). Each page view then runs
this file as the page script (`__main__`), which is all the rest of it.
"""

import streamlit as st

from directory.accounts import COORDINATOR, EDITOR, has_role
from ui.auth import account_for_this_run
from ui.bootstrap import app_navigation, apply_app_style, get_directory

if __name__ == "__main__":  # a page view (imported to start the server, it only defines `app` below)
    st.set_page_config(page_title="Recovery Pathways", page_icon="🧭", layout="wide")

# Every page's address is its file name (/sign_in, /planner_client): until this navigation has run once in
# a new server process, Streamlit serves pages/ by file name, so a shared link opened first after a restart
# still finds its page (ui.bootstrap.ensure_app_navigation then hands it to this navigation).
# (section, file, title, icon, who sees it in the menu: None anyone, "in" signed in, a role, or "hidden").
MENU = [
    ("Directory", "find.py", "Find provision", "search", None),
    ("Directory", "organisations.py", "Organisations", "apartment", None),
    ("Directory", "entry.py", "Entry", "description", "hidden"),  # opened from links (?id=...)
    ("Directory", "edit.py", "Add an entry", "add", EDITOR),
    ("Directory", "edit_entry.py", "Edit an entry", "edit", "hidden"),
    ("Directory", "my_entries.py", "My organisation's entries", "folder_open", EDITOR),
    ("Directory", "import_entries.py", "Import a spreadsheet", "upload_file", EDITOR),
    ("Planner", "planner_client.py", "Client", "person", EDITOR),
    ("Planner", "planner_next_steps.py", "Next steps", "stairs", EDITOR),
    ("Planner", "planner_plan.py", "Action plan", "checklist", EDITOR),
    ("Planner", "planner_reviews.py", "Reviews", "handshake", EDITOR),
    ("Planner", "referrals.py", "Referrals", "send", EDITOR),
    ("Planner", "planner_access_log.py", "Client access log", "policy", COORDINATOR),
    ("Map health", "health_freshness.py", "Stale entries", "hourglass_empty", COORDINATOR),
    ("Map health", "health_duplicates.py", "Duplicates", "content_copy", COORDINATOR),
    ("Map health", "health_coverage.py", "Coverage and gaps", "map", COORDINATOR),
    ("Map health", "health_unmet.py", "Unmet needs", "edit_note", COORDINATOR),
    ("Map health", "health_feedback.py", "Feedback to follow up", "chat", COORDINATOR),
    ("Map health", "health_harvest.py", "Open Referral harvest", "cloud_download", COORDINATOR),
    ("Partnership", "people.py", "People", "group", COORDINATOR),
    ("Partnership", "referrals_funnel.py", "Referral funnel", "filter_alt", COORDINATOR),
    ("Account", "sign_in.py", "Sign in", "login", None),
    ("Account", "set_password.py", "Set your password", "key", "hidden"),  # opened from a one-time link
    ("Account", "accessibility.py", "Accessibility", "accessibility", None),
]


def menu(account) -> dict[str, list]:
    """The navigation for `account` (None: nobody signed in): their pages in sections, the rest hidden."""
    sections: dict[str, list] = {}
    hidden = []
    for section, file, title, icon, audience in MENU:
        if file == "sign_in.py" and account is not None:
            title, icon = "Your account", "account_circle"
        shown = audience is None or (audience != "hidden" and has_role(account, audience))
        page = st.Page(f"pages/{file}", title=title, icon=f":material/{icon}:", default=file == "find.py",
                       visibility="visible" if shown else "hidden")
        (sections.setdefault(section, []) if shown else hidden).append(page)
    # Hidden pages stay reachable by address; they sit in the first section, which is never empty.
    sections["Directory"].extend(hidden)
    return sections


if __name__ == "__main__":
    # The directory (engine, search index; the demo area on a new embedded database; district outlines warmed
    # in the background) is opened here, once per process: every page then gets the same one.
    directory = get_directory()
    apply_app_style()
    with account_for_this_run(directory) as account:
        # Expanded: the menu holds only what this person can use, so all of it is worth seeing.
        navigation = st.navigation(menu(account), expanded=True)
        with app_navigation():
            navigation.run()
else:
    # The server: the app (this file) and the Open Referral API over the same directory, in one process.
    from oruk_api import routes
    from oruk_api.tcp import no_delay_on_listening_sockets

    import threading

    from ui import map_view, print_view

    def _preload() -> None:
        """What the first page needs that takes seconds to import or make (the map's folium and pandas, the
        sign-in's dummy hash), done while the server waits for its first visitor rather than during that visit."""
        import importlib

        for module in ("ui.maps", "ui.find_support", "directory.search", "directory.geo"):
            importlib.import_module(module)
        from directory.accounts import _dummy_hash

        _dummy_hash()

    threading.Thread(target=_preload, name="preload-first-page", daemon=True).start()
    no_delay_on_listening_sockets()  # a kept-alive connection's answers without a 40 ms wait (see there)
    # Find's printable list (print/find?…) is a page of its own, laid out for print (ui/print_view.py); the Find
    # map asks map/view?… for each view of a national-size search (ui/map_view.py).
    app = st.App(__file__, routes=routes(get_directory) + print_view.routes(get_directory) + map_view.routes())
