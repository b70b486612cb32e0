"""Editing an entry (opened from its page, ?id=...): the form of pages/edit.py, registered as a page of its own
so the menu does not say "Add an entry" while someone is correcting one."""

from pages.edit import main

main(editing=True)
