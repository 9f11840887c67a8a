"""The rules about a file, a return's identity and structure, warnings and resubmissions: codes
and message templates (the input rules the Checks sheet counts are in inputs.py)."""

from __future__ import annotations

from dataclasses import replace

from workbook_tools.returns.rules.registry import ERROR, WARNING, Rule, by_code, rule

#: A file that cannot be read as a workbook (files/guard.py raises these codes); the reason is
#: the guard's own sentence.
FILE_CODES = {
    "file-lock": "Excel's lock file (~$...), left beside a return someone has open.",
    "file-empty": "The file is empty.",
    "file-old-or-encrypted": "An old .xls workbook, or a workbook protected with a password.",
    "file-not-workbook": "Not a workbook: a CSV, a PDF or something else renamed.",
    "file-corrupt": "The file is damaged and cannot be opened.",
    "file-too-large": "The file, or what it unpacks to, is larger than a return can be.",
    "file-bomb": "A file made to unpack to far more than its size; refused before it is unpacked.",
    "file-unsafe": "The file holds something a return never does (such as external entities).",
    "file-unreadable": "The file cannot be read for another reason (the message says which).",
    "sheet-too-large": "A sheet has far more rows or columns than a return can have.",
}
FILE_RULES: dict[str, Rule] = by_code(family="file", rules=tuple(
    replace(rule(code, WARNING if code == "file-lock" else ERROR, "{file} {reason}."),
            about=about)
    for code, about in FILE_CODES.items()))
FILE_RULE = FILE_RULES["file-unreadable"]

STRUCTURE_RULES: dict[str, Rule] = by_code(family="structure", rules=(
    rule("not-a-return", ERROR,
         "{file} is a workbook but not a quarterly return made by workbook-tools (it has no "
         "{detail}). Fill in and send the return you were sent for this quarter."),
    rule("meta-changed", ERROR,
         "the hidden _meta sheet has been changed ({detail}), so the return cannot be checked. "
         "Fill in a fresh copy of the return you were sent."),
    rule("old-template", ERROR,
         "this return was made with template version {found}; returns now use version "
         "{expected}. Copy your answers into the return sent to you for this quarter."),
    rule("wrong-quarter", ERROR,
         "this is the return for {found}, not {expected}. Send the return for {expected}."),
    rule("wrong-council", ERROR,
         "this return was made for {found}, not {expected}. Send {expected}'s return."),
    rule("wrong-directorate", ERROR,
         "this return is for directorate '{found}', which is not in the plan register. Check "
         "that the right file was sent, or ask the performance team."),
    rule("sheet-missing", ERROR,
         "the sheet is missing. Use the return as it was sent: do not delete or rename sheets."),
    rule("sheet-renamed", ERROR,
         "the sheet has been renamed to '{found}'. Rename it back to '{expected}'."),
    rule("header-missing", ERROR,
         "the header row (the row starting '{header}') is not in the first ten rows. Use the "
         "return as it was sent: do not delete or change the header row."),
    rule("columns-changed", ERROR,
         changed="the column header should be '{expected}' but is '{found}'. Do not add, "
                 "delete, move or rename columns.",
         added="a column '{found}' has been added. Remove it: columns cannot be added."),
    rule("row-deleted", ERROR,
         "the row for {id} (row {row} as sent) has been deleted. Put it back: every item in "
         "the return must keep its row."),
    rule("row-inserted", ERROR,
         repeat="row {row} repeats {id}. Remove the extra row: rows cannot be added.",
         unknown="row {row} has been added ('{id}' is not an item in this return). Remove it: "
                 "rows cannot be added.",
         blank="row {row} has been added (it has no {header}). Remove it: rows cannot be "
               "added."),
    rule("row-moved", ERROR,
         "{id} has moved from row {expected} to row {row}. Put the rows back in the order they "
         "were sent."),
    rule("prefilled-changed", ERROR,
         changed="the {column} for {id} has been changed (it now reads '{found}'). Pre-filled "
                 "cells come from the plan and must not be changed: undo the change, or ask "
                 "the performance team if the plan is wrong.",
         register="the {column} for {id} reads '{found}' but the plan register has "
                  "'{expected}'. Pre-filled cells come from the plan and must not be changed: "
                  "undo the change, or ask the performance team if the plan is wrong."),
    rule("item-not-ours", ERROR,
         "{id} belongs to directorate {owner} in the plan register, not to {directorate}. "
         "Each directorate reports only on its own items: remove the row."),
    rule("item-missing", ERROR,
         "{id} is in the plan register for {directorate} but not in this return. Use the return "
         "you were sent, which lists every item."),
    rule("formula-without-value", ERROR,
         "this cell holds a formula (={formula}) but no value saved by Excel or LibreOffice, so "
         "its value cannot be known. Type the value itself."),
    rule("formula-overwritten", ERROR,
         "this cell works itself out with a formula, which has been typed over (it now reads "
         "'{found}'). Undo the change, or copy the cell from a row above: nothing needs typing "
         "here."),
    rule("cell-error", ERROR, "this cell shows the error {found}. Type the value itself."),
    rule("wrong-type", ERROR, "'{found}' is not {expected}. Type {expected}."),
))

VALUE_RULES: dict[str, Rule] = by_code(family="value", rules=(
    rule("text-too-long", ERROR,
         "this text is {length:,} characters long; a cell holds at most 32,767. Shorten it "
         "(or put the detail in a separate document and summarise it here)."),
))

WARNING_RULES: dict[str, Rule] = by_code(family="warning", rules=(
    rule("implausible-change", WARNING,
         plain="the actual for {id} ({actual}) is {change} on last quarter's {previous}. Check "
               "the figure; if it is right, say why in the commentary.",
         target="the actual for {id} ({actual}) is {change} on last quarter's {previous}, far "
                "more than its target's own change explains (from {previous_target} to "
                "{target}: about {expected} would be in line). Check the figure; if it is "
                "right, say why in the commentary."),
    rule("delivered-fell", WARNING,
         "delivered to date for {id} ({delivered}) is less than last quarter's {previous}. "
         "Delivered to date is for the year so far and should not fall: check the figure."),
    rule("complete-below-100", WARNING,
         "{id} is Complete but % complete is {found}. Make it 100, or change the status."),
    rule("full-but-not-complete", WARNING,
         "{id} is 100% complete but its status is {status}. Choose Complete, or correct % "
         "complete."),
    rule("delivered-above-forecast", WARNING,
         "delivered to date for {id} ({delivered}) is more than the full-year forecast "
         "({forecast}). Raise the forecast to at least what has been delivered, or correct the "
         "figure."),
    rule("revised-before-due", WARNING,
         "the revised due date for {id} ({revised}) is before the original due date ({due}). "
         "Check the date: a revised date should be later."),
    rule("revised-without-commentary", WARNING,
         "{id} has a revised due date ({revised}) but no commentary. Say why the date has "
         "moved."),
    rule("commentary-uninformative", WARNING,
         "'{found}' does not explain anything. Say {what} for {id}."),
    rule("percent-read", WARNING,
         "{found} was read as {points}% (a % measure's figure between 0 and 1 is taken as a "
         "fraction). If it is {found}%, type it with the % sign: {found}%."),
    rule("item-not-in-register", WARNING,
         "{id} is not in the plan register (it may have been taken out since the return was "
         "sent), so its figures are left out of the master."),
    rule("macros", WARNING,
         "{file} carries macros ({parts}). They are never run, and a return needs none: save "
         "it as an Excel Workbook (.xlsx) next time."),
    rule("external-link", WARNING,
         file="{file} links to other workbooks ({parts}). A return's figures must be typed in "
              "it: links are never followed.",
         cell="this cell's formula (={formula}) reads another workbook, which is never opened; "
              "only the value it last showed is used. Type the figure itself."),
    rule("looks-like-a-date", WARNING,
         "this holds a date ({found}) rather than a number: Excel turns entries such as 1/4 "
         "into dates. Type the figure for {id} as a plain number."),
))

RESUBMISSION_RULES: dict[str, Rule] = by_code(family="resubmission", rules=(
    rule("superseded", WARNING,
         later="replaced by {winner}, a later return for {directorate} {quarter}; only that "
               "one is used.",
         errors="not used: it has errors (listed here), so {winner}, the latest return for "
                "{directorate} {quarter} without errors, is used instead. Correct this one and "
                "send it again.",
         undecided="replaced by later returns for {directorate} {quarter}; only a later one "
                   "can be used."),
    rule("duplicate-copy", WARNING, "an identical copy of {other}; it is counted once."),
    rule("resubmission-undecidable", ERROR,
         "{file} and {other} are different returns for {directorate} {quarter} with the same "
         "sign-off date and file time, so neither is used. Remove the one that is not wanted, "
         "or send the right one again with a later sign-off date."),
))
