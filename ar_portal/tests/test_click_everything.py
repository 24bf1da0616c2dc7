"""Every menu, action, view and button of the suite, used the way the web client uses them, on demo data.

The demo data of the four addons is loaded inside the test's transaction (the same XML files as an
install with demo data), then, as the administrator and as a collector:

* every menu of ours is opened: its action's views are loaded (``get_views``) and filled as the web client
  fills them (``web_search_read`` for lists and kanbans, ``formatted_read_group`` for pivots and graphs,
  ``web_read`` of a record for forms);
* every ``type="object"`` and ``type="action"`` button of those lists and forms is clicked through
  ``odoo.service.model.call_kw`` (the path of ``/web/dataset/call_button``): header buttons with
  ``display="always"`` without a selection, the others on a record for which the button is visible; each click
  in a savepoint rolled back afterwards; the action a button returns is opened in turn.

A user-facing refusal (``UserError``, ``ValidationError``) is an answer; any other exception — a ``TypeError``
from a button whose signature the client cannot call, a ``KeyError`` in a view, a bad domain — fails the test,
which lists every failure at once.
"""

import ast
import datetime
import json
import logging
import time

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import Manifest
from odoo.service.model import call_kw
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import convert_file
from odoo.tools import safe_eval as safe_eval_module
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

ADDONS = ("ar_automation", "ar_dunning", "ar_bank_psd2", "ar_portal")
USER_ANSWERS = (UserError, ValidationError)
X2MANY = ("one2many", "many2many")


def load_demo_data(env):
    """Load the demo files of our addons, in dependency order, as an install with demo data does."""
    for addon in ADDONS:
        manifest = Manifest.for_addon(addon)
        for filename in manifest.get("demo", []):
            convert_file(env, addon, filename, {}, mode="init", noupdate=True)


class WebClient:
    """What the web client does with actions, views and buttons, reduced to the server calls it makes."""

    def __init__(self, env):
        self.env = env
        self.failures = []
        self.clicked = []
        self.opened = []
        self.timings = []

    # -- evaluation helpers -------------------------------------------------

    def eval_context(self, extra=None):
        today = datetime.date.today()
        values = {
            "uid": self.env.uid,
            "user": self.env.user,
            "context_today": lambda: today,
            "current_date": today.isoformat(),
            "datetime": safe_eval_module.datetime,
            "relativedelta": relativedelta,
            "time": safe_eval_module.time,
            "active_id": False,
            "active_ids": [],
            "allowed_company_ids": self.env.companies.ids,
            "context": dict(self.env.context),
        }
        values.update(extra or {})
        return values

    def evaluate(self, expression, default, extra=None):
        if not expression:
            return default
        if not isinstance(expression, str):
            return expression
        return safe_eval(expression, self.eval_context(extra))

    def fail(self, where, error):
        self.failures.append(f"{where}: {type(error).__name__}: {error}")

    # -- actions ------------------------------------------------------------

    def open_action(self, action, where, depth=0):
        """Open an action (a record of ir.actions.* or the dict a button returned)."""
        if not isinstance(action, dict):
            action = (
                action.sudo()._get_action_dict() if hasattr(action, "_get_action_dict") else action.read()[0]
            )
        kind = action.get("type")
        if kind == "ir.actions.server":
            server_action = self.env["ir.actions.server"].browse(action["id"])
            try:
                with self.env.cr.savepoint(flush=True) as savepoint:
                    result = server_action.with_context(self.action_context(action)).run()
                    savepoint.rollback()
            except USER_ANSWERS:
                return
            except Exception as error:  # noqa: BLE001 - any other error is the finding
                self.fail(where, error)
                return
            if isinstance(result, dict):
                self.open_action(result, f"{where} -> server action result", depth)
            return
        if kind != "ir.actions.act_window":
            return  # reports, URLs, client actions: opened by the browser tests
        self.open_window(action, where, depth)

    def action_context(self, action):
        context = self.evaluate(action.get("context"), {})
        return {**self.env.context, **(context if isinstance(context, dict) else {})}

    def open_window(self, action, where, depth):
        try:
            context = self.action_context(action)
            domain = self.evaluate(action.get("domain"), [], {"context": context})
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (context/domain)", error)
            return
        model = self.env[action["res_model"]].with_context(context)
        views = action.get("views") or [
            (False, vt) for vt in (action.get("view_mode") or "list,form").split(",")
        ]
        views = [(view_id, view_type) for view_id, view_type in views if view_type != "search"]
        try:
            loaded = model.get_views([*views, (False, "search")])
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (get_views)", error)
            return
        self.opened.append(where)
        records = model.browse()
        for view_type, view in loaded["views"].items():
            if view_type == "search":
                continue
            arch = etree.fromstring(view["arch"])
            label = f"{where} [{view_type}]"
            if action.get("res_id") and view_type == "form":
                records = model.browse(action["res_id"])
                self.read_form(model, arch, records, label)
            elif view_type in ("list", "kanban"):
                records = self.search_read(model, arch, domain, label) or records
            elif view_type in ("pivot", "graph"):
                self.read_group(model, arch, domain, label)
            elif view_type == "form":
                if not records:
                    records = self.search(model, domain, label)
                self.read_form(model, arch, records[:1], label)
            if view_type in ("list", "form") and depth < 2:
                self.click_buttons(model, arch, view_type, records, label, depth)

    def search(self, model, domain, where):
        try:
            return model.search(domain, limit=80)
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (search)", error)
            return model.browse()

    @staticmethod
    def view_fields(model, arch):
        names = set()
        for node in arch.iter("field"):
            parent = node.getparent()
            inside_subview = False
            while parent is not None and parent is not arch:
                if parent.tag == "field":
                    inside_subview = True
                    break
                parent = parent.getparent()
            if not inside_subview and node.get("name") in model._fields:
                names.add(node.get("name"))
        return names

    def spec(self, model, arch):
        return {name: {} for name in self.view_fields(model, arch)}

    def search_read(self, model, arch, domain, where):
        try:
            result = model.web_search_read(domain, self.spec(model, arch), limit=80)
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (web_search_read)", error)
            return model.browse()
        return model.browse([row["id"] for row in result["records"]])

    def read_group(self, model, arch, domain, where):
        groupby = [node.get("name") for node in arch.iter("field") if node.get("type") in ("row", "col")]
        if arch.tag == "graph":
            groupby = [node.get("name") for node in arch.iter("field") if node.get("type") != "measure"]
        groupby = [name for name in groupby if name in model._fields][:1]
        intervals = {node.get("name"): node.get("interval") for node in arch.iter("field")}
        groupby = [
            f"{name}:{intervals.get(name) or 'month'}"
            if model._fields[name].type in ("date", "datetime")
            else name
            for name in groupby
        ]
        measures = [
            node.get("name")
            for node in arch.iter("field")
            if node.get("type") == "measure" and node.get("name") in model._fields
        ]
        aggregates = [f"{name}:{model._fields[name].aggregator or 'sum'}" for name in measures]
        try:
            model.formatted_read_group(domain, groupby, [*aggregates, "__count"])
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (formatted_read_group {groupby} {aggregates})", error)

    def read_form(self, model, arch, record, where):
        if not record:
            return
        try:
            record.web_read(self.spec(model, arch))
        except Exception as error:  # noqa: BLE001
            self.fail(f"{where} (web_read {record})", error)

    # -- buttons ------------------------------------------------------------

    def own_buttons(self, arch):
        """The buttons of the view itself, not of an x2many's embedded list."""
        for node in arch.iter("button"):
            parent = node.getparent()
            embedded = False
            while parent is not None and parent is not arch:
                if parent.tag == "field":
                    embedded = True
                    break
                parent = parent.getparent()
            if not embedded and node.get("type") in ("object", "action") and node.get("name"):
                yield node

    def is_visible(self, button, record, context):
        expression = button.get("invisible")
        if not expression or expression in ("0", "False"):
            return True
        if expression in ("1", "True"):
            return False
        names = {
            node.id for node in ast.walk(ast.parse(expression, mode="eval")) if isinstance(node, ast.Name)
        }
        values = {}
        for name in names & set(record._fields):
            field = record._fields[name]
            value = record[name]
            if field.type == "many2one":
                value = value.id
            elif field.type in X2MANY:
                value = value.ids
            elif field.type == "date":
                value = value and value.isoformat()
            values[name] = value
        try:
            return not safe_eval(expression, self.eval_context({**values, "context": context}))
        except Exception:  # noqa: BLE001 - an expression on fields the view does not load: click anyway
            return True

    @staticmethod
    def is_ours(model, button):
        """A button whose method (or action) comes from one of our addons."""
        if button.get("type") == "action":
            return button.get("name", "").split(".")[0] in ADDONS
        method = getattr(type(model), button.get("name"), None)
        return any(
            getattr(getattr(cls, button.get("name"), None), "__module__", "").startswith("odoo.addons.ar_")
            for cls in type(model).mro()
            if button.get("name") in vars(cls)
        ) and callable(method)

    def click_buttons(self, model, arch, view_type, records, where, depth):
        for button in self.own_buttons(arch):
            name = button.get("name")
            if depth and not self.is_ours(model, button):
                continue  # Odoo's own buttons on the records our actions lead to: Odoo tests them
            in_header = button.getparent().tag == "header"
            if view_type == "list" and in_header:
                targets = [model.browse()] if button.get("display") == "always" else [records[:1]]
            else:
                targets = [r for r in records if self.is_visible(button, r, model.env.context)][:1]
            for target in targets:
                if view_type == "list" and in_header and button.get("display") != "always" and not target:
                    continue
                self.click(
                    model,
                    button,
                    name,
                    target,
                    f"{where} button {name!r} on {target or 'no selection'}",
                    depth,
                )

    def click(self, model, button, name, record, where, depth):
        context = dict(model.env.context)
        if button.get("context"):
            try:
                context.update(
                    self.evaluate(button.get("context"), {}, {"active_id": record.id, "id": record.id})
                )
            except Exception:  # noqa: BLE001 - contexts on the record's fields (parent.x): ignore them
                pass
        self.clicked.append(where)
        started = time.monotonic()
        try:
            with self.env.cr.savepoint(flush=True) as savepoint:
                if button.get("type") == "object":
                    result = call_kw(model.with_context(context), name, [record.ids], {})
                else:
                    action = self.env["ir.actions.actions"]._for_xml_id(name) if "." in name else None
                    if action is None:
                        action = self.env["ir.actions.actions"].browse(int(name)).read()[0]
                    result = action
                if isinstance(result, dict) and result.get("type") in (
                    "ir.actions.act_window",
                    "ir.actions.server",
                ):
                    self.open_action(
                        result, f"{where} -> {result.get('res_model') or result.get('name')}", depth + 1
                    )
                self.env.flush_all()
                savepoint.rollback()
        except USER_ANSWERS:
            pass
        except Exception as error:  # noqa: BLE001
            self.fail(where, error)
        finally:
            self.env.invalidate_all()
            self.timings.append((time.monotonic() - started, where))


@tagged("post_install", "-at_install", "click_everything")
class TestClickEverything(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_demo_data(cls.env)
        cls.demo_company = cls.env.ref("ar_automation.demo_company")
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Collector",
                "login": "click.collector",
                "company_id": cls.demo_company.id,
                "company_ids": [Command.set(cls.demo_company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("ar_automation.ar_automation_group_collector").id,
                            cls.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )

    def _our_menus(self):
        data = self.env["ir.model.data"].search([("module", "in", ADDONS), ("model", "=", "ir.ui.menu")])
        return self.env["ir.ui.menu"].browse(data.mapped("res_id")).exists()

    def _click_everything(self, user):
        env = self.env(user=user, context={**self.env.context, "allowed_company_ids": self.demo_company.ids})
        client = WebClient(env)
        menus = self._our_menus().with_env(env)
        visible = env["ir.ui.menu"].search([("id", "in", menus.ids)])
        for menu in visible.filtered("action"):
            client.open_action(menu.action.with_env(env), f"menu {menu.complete_name!r}")
        return client

    def test_every_menu_view_and_button_works_for_the_administrator(self):
        client = self._click_everything(self.env.ref("base.user_admin"))
        _logger.info("clicked %s buttons in %s actions", len(client.clicked), len(client.opened))
        slowest = sorted(client.timings, reverse=True)[:5]
        _logger.info("slowest: %s", "; ".join(f"{seconds:.2f} s {where}" for seconds, where in slowest))
        self.assertFalse(client.failures, "\n".join(client.failures))
        self.assertGreaterEqual(len(client.opened), 20, "every menu of the suite with an action is opened")
        self.assertGreaterEqual(len(client.clicked), 30, "the buttons of the suite are clicked")
        previews = [c for c in client.clicked if c.endswith("action_preview_today' on no selection")]
        self.assertTrue(previews, "Preview Today is clicked without a selection, as the web client does")

    def test_receivables_menus_come_in_sections_and_reports_under_reporting(self):
        root = self.env.ref("ar_automation.ar_menu_root")
        self.assertFalse(root.child_id.filtered("action"), "no flat list: daily work, cash")
        self.assertEqual(
            root.child_id.mapped("name")[:2], ["Daily Work", "Cash"], "daily work first, then cash"
        )
        reporting = self.env.ref("ar_automation.ar_menu_reporting")
        self.assertEqual(reporting.parent_id, self.env.ref("account.menu_finance_reports"))
        self.assertIn("Aging", reporting.child_id.mapped("name"))

    def test_every_menu_view_and_button_works_for_a_collector(self):
        client = self._click_everything(self.collector)
        self.assertFalse(client.failures, "\n".join(client.failures))
        self.assertGreaterEqual(len(client.opened), 10)


OPEN_EVERY_ACTION_JS = """
(async () => {
    const actions = %(actions)s;
    const env = odoo.__WOWL_DEBUG__.root.env;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    const waitFor = async (selector) => {
        for (let i = 0; i < 100; i++) {
            if (document.querySelector(selector)) { return; }
            await settle();
        }
        throw new Error(`nothing matched ${selector}`);
    };
    for (const xmlid of actions) {
        console.log(`opening ${xmlid}`);
        await env.services.action.doAction(xmlid, { clearBreadcrumbs: true });
        await settle();
        if (document.querySelector(".modal .o_form_view")) {
            // a wizard (target new): its form opened in a dialog; close it
            document.querySelector(".modal .btn-close").click();
            await settle();
            console.log(`opened ${xmlid} (dialog)`);
            continue;
        }
        await waitFor(".o_action_manager .o_action");
        const switches = [...document.querySelectorAll(".o_control_panel .o_switch_view")];
        for (let i = 0; i < switches.length; i++) {
            const button = document.querySelectorAll(".o_control_panel .o_switch_view")[i];
            console.log(`switching to ${button.getAttribute("data-tooltip") || button.className}`);
            button.click();
            await settle();
            await waitFor(".o_action_manager .o_action");
        }
        const row = document.querySelector(".o_list_view .o_data_row .o_data_cell");
        if (row) {
            console.log(`opening a record of ${xmlid}`);
            row.click();
            // a record opens in its form, or, in an editable list, the row is edited in place
            await waitFor(".o_form_view, .o_selected_row");
        }
        console.log(`opened ${xmlid}`);
    }
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install", "click_everything")
class TestOpenEveryActionInTheBrowser(HttpCase):
    """The web client itself opens every window action of our menus, each of its views, and a record's
    form from the list: any client error (an unknown widget, a field missing from a view, a failing RPC)
    fails the test."""

    def test_every_action_of_our_menus_opens_in_the_browser(self):
        data = self.env["ir.model.data"].search([("module", "in", ADDONS), ("model", "=", "ir.ui.menu")])
        menus = self.env["ir.ui.menu"].browse(data.mapped("res_id")).filtered("action")
        xmlids = []
        for menu in menus:
            action = menu.action
            if action._name == "ir.actions.act_window":
                xmlids.append(action.get_external_id()[action.id] or action.id)
        self.assertGreaterEqual(len(xmlids), 15)
        self.browser_js(
            "/odoo",
            OPEN_EVERY_ACTION_JS % {"actions": json.dumps(xmlids)},
            ready="odoo.isReady",
            login="admin",
            timeout=300,
        )
