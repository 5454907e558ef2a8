"""Every route x every role (and anonymous): the expected outcome, from one explicit table.

A route that is not in ACCESS fails the test, so each new route must state who may use it.
"""
from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.factories import make_team, make_user
from webapp.auth.access import is_static_files
from webapp.roles import Role

ANONYMOUS = "anonymous"
PUBLIC = "public"
EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
HR = frozenset({Role.HR, Role.ADMIN})  # an admin can do whatever HR can
MANAGER = frozenset({Role.MANAGER})
ACCOUNT_EDITORS = frozenset({Role.ADMIN, Role.MANAGER, Role.HR})
HR_LEADER = frozenset({Role.HR, Role.LEADER, Role.ADMIN})
MANAGER_LEADER = frozenset({Role.MANAGER, Role.LEADER})

# endpoint -> who may use it: PUBLIC (also anonymous) or the roles allowed (signed in)
ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "main.health": PUBLIC,
    "main.home": EVERYONE,
    "main.scorecard": HR_LEADER,
    "main.scorecard_csv": HR_LEADER,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.password": EVERYONE,
    "auth.audit_log": ADMIN,
    "auth.invitations": HR,
    "auth.forgot_password": PUBLIC,
    "auth.set_password_from_link": PUBLIC,
    "people.directory": EVERYONE,
    "people.profile": EVERYONE,
    "people.person_form": ADMIN,
    "people.functions": ADMIN,
    "people.function_form": ADMIN,
    "people.teams": ADMIN,
    "people.team_form": ADMIN,
    "people.set_activity": ADMIN,
    "people.import_upload": HR,
    "people.import_preview": HR,
    "people.import_confirm": HR,
    "people.import_rejected": HR,
    "people.import_template": HR,
    "notifications.index": EVERYONE,
    "notifications.bell": EVERYONE,
    "notifications.read": EVERYONE,
    "notifications.read_all": EVERYONE,
    "notifications.settings": EVERYONE,
    "rotation.static": PUBLIC,
    "rotation.index": EVERYONE,
    "rotation.program_form": HR,
    "rotation.program": EVERYONE,
    "rotation.cohort_form": HR,
    "rotation.cohort": EVERYONE,
    "rotation.cohort_calendar": EVERYONE,
    "rotation.opening_form": MANAGER,
    "rotation.opening": EVERYONE,
    "rotation.ranking": EVERYONE,  # the view admits only the opening's host mentor and manager
    "rotation.apply": EVERYONE,
    "rotation.application": EVERYONE,  # the view admits the applicant, home manager, hosts and HR
    "rotation.approvals": MANAGER,
    "rotation.match": HR,
    "rotation.match_run": HR,
    "rotation.match_adjust": HR,
    "rotation.match_publish": HR,
    "rotation.match_move": HR,
    "rotation.match_close": HR,
    "rotation.application_withdraw": EVERYONE,  # the view admits only the applicant
    "rotation.application_edit": EVERYONE,  # the view admits only the applicant
    "rotation.settings": ADMIN,
    "rotation.placement": EVERYONE,  # the view admits the rotator, hosts, home manager and HR
    "rotation.respond": EVERYONE,
    "rotation.withdraw": EVERYONE,
    "rotation.check_in": EVERYONE,
    "rotation.sign_off": EVERYONE,
    "rotation.placement_calendar": EVERYONE,
    "rotation.health": HR_LEADER,
    # early warnings (the views admit only the author and people of the two functions to a warning)
    "early_warnings.index": EVERYONE,
    "early_warnings.warning_form": EVERYONE,
    "early_warnings.detail": EVERYONE,
    "early_warnings.raise_draft": EVERYONE,
    "early_warnings.acknowledge": EVERYONE,  # the service admits managers and leaders of the receiving function
    "early_warnings.comment": EVERYONE,
    "early_warnings.close": EVERYONE,
    "early_warnings.reopen": EVERYONE,
    "early_warnings.reconciliation": EVERYONE,
    "early_warnings.reconcile": frozenset({Role.ADMIN, Role.HR, Role.LEADER, Role.MANAGER}),
    "early_warnings.settings": ADMIN,
    # joint customer visits
    "visits.accounts": EVERYONE,
    "visits.account": EVERYONE,
    "visits.account_form": ACCOUNT_EDITORS,
    "visits.import_upload": ACCOUNT_EDITORS,
    "visits.import_preview": ACCOUNT_EDITORS,
    "visits.import_confirm": ACCOUNT_EDITORS,
    "visits.import_rejected": ACCOUNT_EDITORS,
    "visits.import_template": ACCOUNT_EDITORS,
    "visits.visit_list": EVERYONE,
    "visits.visit_form": EVERYONE,
    "visits.joint_check": EVERYONE,
    "visits.visit": EVERYONE,
    "visits.mark_held": EVERYONE,
    "visits.cancel": EVERYONE,
    "visits.unconfirm": EVERYONE,
    "visits.outcome": EVERYONE,
    "visits.note": EVERYONE,
    "visits.confirm": EVERYONE,
    "visits.add_follow_up": EVERYONE,
    "visits.my_follow_ups": EVERYONE,
    "visits.update_follow_up": EVERYONE,
    "visits.coverage": EVERYONE,
    "visits.learnings": EVERYONE,
    "visits.planned_calendar": EVERYONE,
    "visits.export_visits": frozenset({Role.ADMIN, Role.HR, Role.LEADER, Role.MANAGER}),
    "visits.export_follow_ups": frozenset({Role.ADMIN, Role.HR, Role.LEADER, Role.MANAGER}),
    "visits.settings": ADMIN,
    # "Yes, if..." resource requests (the views admit only the parties each step names)
    "resource_requests.index": EVERYONE,
    "resource_requests.request_form": EVERYONE,
    "resource_requests.detail": EVERYONE,
    "resource_requests.add_option": EVERYONE,
    "resource_requests.add_condition": EVERYONE,
    "resource_requests.send_answer": EVERYONE,
    "resource_requests.what_if": EVERYONE,
    "resource_requests.pick": EVERYONE,
    "resource_requests.confirm": EVERYONE,
    "resource_requests.leader_decision": EVERYONE,
    "resource_requests.write_case": EVERYONE,
    "resource_requests.record_actual": EVERYONE,
    "resource_requests.lookback": EVERYONE,
    "resource_requests.reopen": EVERYONE,
    "recognition.feed": EVERYONE,
    "recognition.poll": EVERYONE,
    "recognition.react": EVERYONE,
    "recognition.comment": EVERYONE,
    "recognition.delete_item": EVERYONE,
    "recognition.hide_item": ADMIN,
    "recognition.give_kudos": EVERYONE,
    "recognition.add_kudos_points": EVERYONE,
    "recognition.log_win": MANAGER_LEADER,
    "recognition.win_detail": EVERYONE,
    "recognition.cosign": MANAGER_LEADER,
    "recognition.decline": MANAGER_LEADER,
    "recognition.approvals": MANAGER_LEADER,
    "recognition.leaderboards": EVERYONE,
    "recognition.opt_out": EVERYONE,
    "recognition.flow": HR_LEADER,
    "recognition.settings": ADMIN,
    "recognition.badges": EVERYONE,
    "recognition.badge_form": ADMIN,
    "recognition.award_badges_from_history": ADMIN,
    "trust.pulse": EVERYONE,
    "trust.results": HR_LEADER,
    "trust.summary": EVERYONE,
    "trust.results_csv": HR_LEADER,
    "trust.waves": HR,
    "trust.wave_new": HR,
    "trust.wave_detail": HR,
    "trust.wave_close": HR,
    "trust.wave_preview": HR,
    "trust.wave_remind": HR,
    "trust.wave_thresholds": ADMIN,
    "trust.templates": HR,
    "trust.template_edit": HR,
    "trust.template_copy": HR,
    "trust.item_edit": HR,
    "trust.item_delete": HR,
    "trust.outcomes": HR_LEADER,
    "trust.metric_edit": HR,
    "trust.metric_detail": HR_LEADER,
    "trust.metric_value_add": HR,
    "trust.metric_import": HR,
    "trust.metric_csv": HR_LEADER,
    # joint problem-solving reviews (the views admit only participants to every change)
    "joint_reviews.index": EVERYONE,
    "joint_reviews.open_review": EVERYONE,
    "joint_reviews.review": EVERYONE,
    "joint_reviews.add_entry": EVERYONE,
    "joint_reviews.delete_entry": EVERYONE,
    "joint_reviews.add_finding": EVERYONE,
    "joint_reviews.add_action": EVERYONE,
    "joint_reviews.set_action": EVERYONE,
    "joint_reviews.sign_off": EVERYONE,
    "joint_reviews.link_record": EVERYONE,
    "joint_reviews.nudge_preview": EVERYONE,
    "joint_reviews.dismiss_live_nudge": EVERYONE,
    "joint_reviews.dismiss_saved_nudge": EVERYONE,
    "joint_reviews.library": EVERYONE,
    "joint_reviews.completion": EVERYONE,
    # monthly business review (the views admit drafts to the pair's people, leaders and HR; signed ones to everyone)
    "business_review.reviews": EVERYONE,
    "business_review.open_review": frozenset({Role.LEADER, Role.ADMIN}),
    "business_review.review": EVERYONE,
    "business_review.save_note": EVERYONE,  # the service admits only the metric's owner or partner function
    "business_review.add_item": EVERYONE,  # the service admits only the pair's people
    "business_review.sign": frozenset({Role.LEADER}),  # the service admits only a leader of the pair
    "business_review.reopen": frozenset({Role.LEADER, Role.ADMIN}),
    "business_review.print_pack": EVERYONE,
    "business_review.export_csv": EVERYONE,
    "business_review.setup": frozenset({Role.LEADER, Role.ADMIN}),
    "business_review.save_setup": frozenset({Role.LEADER, Role.ADMIN}),
    "business_review.set_target": frozenset({Role.LEADER, Role.ADMIN}),
    "business_review.settings": ADMIN,
}


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add new routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "remove routes that no longer exist"


def test_every_route_open_to_hr_is_open_to_admins():
    assert [
        endpoint for endpoint, who in ACCESS.items() if who != PUBLIC and Role.HR in who and Role.ADMIN not in who
    ] == []


def test_every_view_declares_its_access(app):
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if not is_static_files(endpoint) and getattr(view, "access", None) is None
    ]
    assert undeclared == []


def _requests(app, sample_args):
    for rule in app.url_map.iter_rules():
        args = {name: sample_args[name] for name in rule.arguments}
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("who", [ANONYMOUS, *Role])
def test_route_role_matrix(app, db, who):
    team = make_team()
    target = make_user(team=team)
    sample_args = {
        "user_id": target.id, "function_id": team.function_id, "team_id": team.id, "object_id": target.id,
        "kind": "people", "token": "no-such-token", "filename": "app.css", "notification_id": 999999,
        "program_id": 1, "cohort_id": 1, "opening_id": 1, "application_id": 1, "placement_id": 1,
        "account_id": target.id, "visit_id": target.id, "follow_up_id": target.id,
        "item_id": 999, "kudos_id": 999, "win_id": 999, "badge_id": 999,
        "wave_id": 1, "template_id": 1, "metric_id": 1, "table": "pairs",
        "review_id": 999999, "entry_id": 999, "action_id": 999,
        "request_id": 999, "option_id": 999, "condition_id": 999,
        "warning_id": target.id,
    }
    client = app.test_client()
    viewer = None if who == ANONYMOUS else make_user(*({who} - {Role.EMPLOYEE}))
    for endpoint, method, url in _requests(app, sample_args):
        if viewer is not None:
            sign_in(client, viewer)  # again each time: the logout route ends the session
        allowed = ACCESS[endpoint] == PUBLIC or (viewer is not None and who in ACCESS[endpoint])
        response = client.open(url, method=method, data={})
        where = f"{who} {method} {url}"
        if allowed:
            assert response.status_code not in (401, 403), where
            assert "/login?next" not in response.headers.get("Location", ""), where
        elif viewer is None:
            assert response.status_code == 302 and "/login?next=" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where
