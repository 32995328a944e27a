"""The scan and the team, for the municipality. Each view: resolve through monitor/access.py,
validate with a form, call one service, redirect or render."""

import json
from dataclasses import dataclass, replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import access, selectors
from .access import Capability
from .forms import AnswerForm, ContributorInviteForm, EvidenceForm, RemarkForm
from .models import Answer, Evidence, Question, Scan, Section, User
from .questionnaire import questionnaire_of
from .selectors import QuestionRow
from .services import scans as scan_services


def team(request, code):
    organisation = access.organisation_for_user(request.user, code, Capability.TEAM)
    return _render_team(request, organisation)


def _render_team(request, organisation, invite_form=None, status=200):
    can_manage = access.can(request.user, Capability.MANAGE_TEAM, organisation)
    edition = selectors.editions_open_to(organisation).first()
    sections = list(edition.sections.all()) if edition else []
    if can_manage and invite_form is None:
        invite_form = ContributorInviteForm(sections=sections)
    return render(
        request,
        "monitor/team.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_team(organisation),
            "invite_form": invite_form if can_manage else None,
            "scans": organisation.scans.select_related("edition").order_by("-edition__year"),
            "can_reopen": access.can(request.user, Capability.REOPEN, organisation),
            "withdrawable": can_manage,
            "section_titles": {s.key: s.localised("title") for s in sections},
        },
        status=status,
    )


@require_POST
def contributor_invite(request, code):
    organisation = access.organisation_for_user(request.user, code, Capability.MANAGE_TEAM)
    edition = selectors.editions_open_to(organisation).first()
    sections = list(edition.sections.all()) if edition else []
    form = ContributorInviteForm(request.POST, sections=sections)
    if not form.is_valid():
        return _render_team(request, organisation, invite_form=form, status=400)
    scan_services.contributor_invite(
        organisation=organisation,
        email=form.cleaned_data["email"],
        full_name=form.cleaned_data["full_name"],
        section_keys=form.cleaned_data["sections"],
        by=request.user,
    )
    messages.success(
        request,
        _("%(email)s has been invited and gets an email to set a password.")
        % {"email": form.cleaned_data["email"]},
    )
    return redirect("monitor:team", code=code)


@require_POST
def contributor_withdraw(request, code, user_id):
    organisation = access.organisation_for_user(request.user, code, Capability.MANAGE_TEAM)
    contributor = get_object_or_404(
        User, pk=user_id, organisation=organisation, role=User.Role.CONTRIBUTOR, is_active=True
    )
    scan_services.contributor_withdraw(contributor=contributor, by=request.user)
    messages.success(
        request, _("The invitation of %(name)s has been withdrawn.") % {"name": contributor}
    )
    return redirect("monitor:team", code=code)


# --- The scan -------------------------------------------------------------------------------


def _scan(request, code, year, capability=Capability.ANSWERS) -> Scan:
    return access.scan_for_user(request.user, code, year, capability)


def _section(scan: Scan, key: str) -> Section:
    section = questionnaire_of(scan.edition).section(key)
    if section is None:
        raise Http404
    return section


def _question(scan: Scan, key: str) -> Question:
    question = questionnaire_of(scan.edition).question(key)
    if question is None:
        raise Http404
    return question


@require_GET
def scan_overview(request, code, year):
    scan = _scan(request, code, year)
    progress = scan.progress()
    return render(
        request,
        "monitor/scan/overview.html",
        {
            "scan": scan,
            "progress": progress.sections,
            "percent": progress.percent,
            "editable": scan.is_editable(),
            "can_submit": access.can(request.user, Capability.SUBMIT, scan.organisation),
            "has_previous": scan_services.previous_scan(scan) is not None,
            "waiting": progress.waiting,
        },
    )


@dataclass(frozen=True)
class QuestionBlock:
    """A question as the section page shows it: what the scan holds for it, its form, and
    what the last save said."""

    row: QuestionRow
    form: AnswerForm
    saved: bool = False
    conflict: Answer | None = None  # a colleague's newer answer
    evidence_form: EvidenceForm | None = None  # one with errors; else the page's empty one
    remark_form: RemarkForm | None = None

    question = property(lambda self: self.row.question)
    answer = property(lambda self: self.row.answer)
    evidence = property(lambda self: self.row.evidence)
    remarks = property(lambda self: self.row.remarks)
    extras = property(lambda self: self.row.extras)


def _editable(request, scan: Scan, section: Section) -> bool:
    return scan.is_editable() and access.can_answer_section(request.user, section)


def _blocks(rows: list[QuestionRow], *, editable: bool, data=None) -> list[QuestionBlock]:
    return [
        QuestionBlock(
            row, AnswerForm(data, question=row.question, answer=row.answer, editable=editable)
        )
        for row in rows
    ]


def _save(request, scan: Scan, block: QuestionBlock) -> QuestionBlock:
    """Save one question's form: the block as it now is, with the problem on its form."""
    form = block.form
    if form.add_prefix("version") not in form.data:
        return block  # not on the page that was sent: nothing to save, nothing to clear
    if not form.is_valid():
        return block
    try:
        answer = scan_services.answer_save(
            scan=scan,
            question=block.question,
            value=form.answer_value(),
            user=request.user,
            version=form.cleaned_data.get("version"),
            original=form.cleaned_data["original"],
        )
    except ValidationError as error:
        form.add_error("value", error)
        return block
    except scan_services.AnswerConflict as conflict:
        form.add_error(
            "value",
            _("A colleague changed this answer while you were working on it. Nothing was saved."),
        )
        # Saving again keeps the value typed here; the colleague's value is shown beside it.
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = conflict.answer.version
        return replace(block, conflict=conflict.answer)
    if answer is None:
        return block
    return replace(block, row=replace(block.row, answer=answer), saved=True)


def scan_section(request, code, year, section):
    scan = _scan(request, code, year)
    section = _section(scan, section)
    editable = _editable(request, scan, section)
    rows = selectors.section_questions(scan, section)
    if request.method != "POST":
        return _render_section(request, scan, section, _blocks(rows, editable=editable))
    if not editable:
        raise PermissionDenied
    blocks = [
        _save(request, scan, block) for block in _blocks(rows, editable=True, data=request.POST)
    ]
    problems = sum(bool(block.form.errors) for block in blocks)
    if not problems:
        messages.success(request, _("Your answers have been saved."))
        return redirect("monitor:scan_section", code=code, year=year, section=section.key)
    messages.error(
        request,
        ngettext(
            "%(count)s answer could not be saved; see the message at the question.",
            "%(count)s answers could not be saved; see the messages at the questions.",
            problems,
        )
        % {"count": problems},
    )
    return _render_section(request, scan, section, blocks)


def _render_section(request, scan, section, blocks, status=200):
    sections = questionnaire_of(scan.edition).sections
    position = sections.index(section)
    return render(
        request,
        "monitor/scan/section.html",
        {
            "scan": scan,
            "section": section,
            "rows": blocks,
            "editable": _editable(request, scan, section),
            "previous_section": sections[position - 1] if position > 0 else None,
            "next_section": sections[position + 1] if position + 1 < len(sections) else None,
            "waiting": any(block.answer and block.answer.prefilled for block in blocks),
            "evidence_form": EvidenceForm(),
            "remark_form": RemarkForm(),
        },
        status=status,
    )


def _section_with(request, scan, question, **changes) -> HttpResponse:
    """The section page again, with ``question``'s block changed (a form with errors)."""
    section = question.section
    rows = selectors.section_questions(scan, section)
    blocks = [
        replace(block, **changes) if block.question.pk == question.pk else block
        for block in _blocks(rows, editable=_editable(request, scan, section))
    ]
    return _render_section(request, scan, section, blocks, status=400)


@require_POST
def answer_autosave(request, code, year, question):
    """Saves one answer as it is given (autosave.js posts here). Touches only this question:
    the scan is read once and locked once, and the questionnaire comes from the process's copy.

    autosave.js asks for JSON and gets what it takes over: whether it was saved, the new
    version and value, and the status line. A problem (a mistake, a colleague's change) is
    answered with the question's block, showing the message at the question, as is a client
    that asks for HTML."""
    scan = access.scan_for_user(request.user, code, year, Capability.ANSWERS, lock=True)
    question = _question(scan, question)
    if not _editable(request, scan, question.section):
        raise PermissionDenied
    form = AnswerForm(request.POST, question=question, answer=None, editable=True)
    block = _save(request, scan, QuestionBlock(QuestionRow(question), form))
    if not block.form.errors and "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(_saved_state(block))
    # The whole block, as the page has it: with its evidence and remarks.
    (row,) = selectors.question_rows(scan, [question])
    if block.saved:
        row = replace(row, answer=block.answer)
        # A fresh, unbound form: the page takes over its new version and value.
        block = replace(
            block, form=AnswerForm(question=question, answer=block.answer, editable=True)
        )
    return render(
        request,
        "monitor/scan/_question.html",
        {
            "scan": scan,
            "row": replace(block, row=row),
            "editable": True,
            "evidence_form": EvidenceForm(),
            "remark_form": RemarkForm(),
        },
        status=400 if block.form.errors else 200,
    )


def _saved_state(block: QuestionBlock) -> dict:
    """What autosave.js takes over after a save: the version and value the next save is
    based on, and the line that says it was saved."""
    if not block.saved:
        return {"saved": False}
    answer = block.answer
    return {
        "saved": True,
        "version": answer.version,
        "original": json.dumps(answer.value),
        "status": _("Saved at %(when)s.")
        % {"when": time_format(timezone.localtime(answer.updated_at), "H:i")},
    }


@require_POST
def section_confirm(request, code, year, section):
    scan = _scan(request, code, year)
    section = _section(scan, section)
    count = scan_services.answers_confirm(scan=scan, section=section, user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s answer from last year confirmed.",
            "%(count)s answers from last year confirmed.",
            count,
        )
        % {"count": count},
    )
    return redirect("monitor:scan_section", code=code, year=year, section=section.key)


@require_POST
def scan_prefill(request, code, year):
    scan = _scan(request, code, year)
    count = scan_services.answers_prefill(scan=scan, user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s answer taken over from last year. It is marked until you confirm it.",
            "%(count)s answers taken over from last year. They are marked until you confirm them.",
            count,
        )
        % {"count": count},
    )
    return redirect("monitor:scan_overview", code=code, year=year)


@require_POST
def evidence_upload(request, code, year, question):
    scan = _scan(request, code, year)
    question = _question(scan, question)
    form = EvidenceForm(request.POST, request.FILES)
    target = reverse("monitor:scan_section", args=[code, year, question.section.key])
    if form.is_valid():
        try:
            evidence = scan_services.evidence_add(
                scan=scan, question=question, uploaded=form.cleaned_data["file"], user=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("%(name)s attached.") % {"name": evidence.original_name})
            return redirect(f"{target}#q-{question.key}")
    return _section_with(request, scan, question, evidence_form=form)


def _evidence(scan: Scan, evidence_id: int) -> Evidence:
    if not scan.is_started:
        raise Http404
    return get_object_or_404(
        Evidence.objects.select_related("question__section"), pk=evidence_id, scan_id=scan.pk
    )


@require_GET
def evidence_download(request, code, year, evidence_id):
    evidence = _evidence(_scan(request, code, year), evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_POST
def evidence_remove(request, code, year, evidence_id):
    evidence = _evidence(_scan(request, code, year), evidence_id)
    scan_services.evidence_remove(evidence=evidence, user=request.user)
    messages.success(request, _("%(name)s removed.") % {"name": evidence.original_name})
    target = reverse("monitor:scan_section", args=[code, year, evidence.question.section.key])
    return redirect(f"{target}#q-{evidence.question.key}")


@require_POST
def remark_add(request, code, year, question):
    scan = _scan(request, code, year)
    question = _question(scan, question)
    form = RemarkForm(request.POST)
    target = reverse("monitor:scan_section", args=[code, year, question.section.key])
    if form.is_valid():
        scan_services.remark_add(
            scan=scan, question=question, text=form.cleaned_data["text"], user=request.user
        )
        messages.success(request, _("Thank you; your remark has been saved for the next edition."))
        return redirect(f"{target}#q-{question.key}")
    return _section_with(request, scan, question, remark_form=form)


def scan_review(request, code, year):
    scan = _scan(request, code, year)
    if request.method == "POST":
        try:
            scan_services.scan_submit(scan=scan, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your scan has been submitted. Thank you!"))
            return redirect("monitor:scan_overview", code=code, year=year)
    missing = scan_services.scan_missing(scan)
    return render(
        request,
        "monitor/scan/review.html",
        {
            "scan": scan,
            "missing": missing,
            "editable": scan.is_editable(),
            "can_submit": access.can(request.user, Capability.SUBMIT, scan.organisation),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def scan_history(request, code, year):
    scan = _scan(request, code, year)
    return render(
        request,
        "monitor/scan/history.html",
        {"scan": scan, "changes": selectors.scan_history(scan)[:500]},
    )


@require_POST
def scan_reopen(request, code, year):
    scan = _scan(request, code, year, capability=Capability.REOPEN)
    try:
        scan_services.scan_reopen(scan=scan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The scan of %(name)s is open again.") % {"name": scan.organisation}
        )
    # The service desk reopens from its status overview or its page of the municipality.
    if request.POST.get("next") == "status":
        return redirect("servicedesk:status", year=year)
    if access.can(request.user, Capability.ACCOUNTS, scan.organisation):
        return redirect("servicedesk:municipality", code=code)
    return redirect("monitor:team", code=code)
