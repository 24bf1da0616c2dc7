import { registry } from "@web/core/registry";

// The page fits the screen: nothing to scroll sideways.
function assertNoSidewaysScroll(where) {
    const { scrollWidth } = document.documentElement;
    if (scrollWidth > window.innerWidth) {
        throw new Error(`${where} scrolls sideways: ${scrollWidth}px wide on a ${window.innerWidth}px screen`);
    }
}

// An element is on screen (not hidden by a responsive class) and inside the screen's width.
function assertShown(element, what) {
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height || box.right > window.innerWidth + 1 || box.left < -1) {
        throw new Error(`${what} is not shown within the screen (${box.left}-${box.right}px)`);
    }
}

// An amount as the Polish customer reads and types it: decimal comma, no raw float ("600,00").
const POLISH_AMOUNT = /^\d{1,3}([\s\u00a0\u202f]?\d{3})*,\d{2}$/;

registry.category("web_tour.tours").add("ar_portal_phone_statement_tour", {
    url: "/my/statement",
    steps: () => [
        {
            content: "Each invoice is a card showing its number, due date, open amount and amount to pay",
            trigger: ".o_ar_statement_line.card:eq(1) .o_ar_amount",
            run() {
                if (window.innerWidth > 400) {
                    throw new Error(`the tour runs on a phone, not on a ${window.innerWidth}px screen`);
                }
                assertNoSidewaysScroll("The statement");
                for (const card of document.querySelectorAll(".o_ar_statement_line")) {
                    for (const part of [".o_ar_select", "a", ".o_ar_due_date", ".o_ar_open_amount", ".o_ar_amount"]) {
                        assertShown(card.querySelector(part), `${part} of a card`);
                    }
                }
                const summary = document.querySelector(".o_ar_statement_totals");
                if (summary.getBoundingClientRect().height > 200) {
                    throw new Error("the summary fills the screen");
                }
            },
        },
        {
            content: "The amount to pay is offered in the customer's format",
            trigger: ".o_ar_statement_line:eq(0) .o_ar_amount",
            run() {
                const placeholder = this.anchor.getAttribute("placeholder");
                if (!POLISH_AMOUNT.test(placeholder)) {
                    throw new Error(`amount to pay shown as "${placeholder}", not as a Polish amount`);
                }
            },
        },
        {
            content: "Select the first invoice",
            trigger: ".o_ar_statement_line:eq(0) .o_ar_select",
            run: "click",
        },
        {
            content: "Pay part of it, typed the Polish way",
            trigger: ".o_ar_statement_line:eq(0) .o_ar_amount",
            run: "edit 100,50",
        },
        {
            content: "Select the second invoice",
            trigger: ".o_ar_statement_line:eq(1) .o_ar_select",
            run: "click",
        },
        {
            content: "Pay the selection",
            trigger: ".o_ar_pay_selected",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The pay page lists both invoices and fits the screen",
            trigger: ".o_ar_pay_allocation tbody tr:eq(1)",
            run() {
                assertNoSidewaysScroll("The pay page");
            },
        },
        {
            content: "Choose the demo payment method",
            trigger: "input[name='o_payment_radio']",
            run: "click",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the statement after the payment",
            trigger: ".o_ar_statement",
        },
    ],
});

const LONG_COMPLAINT = "Towar uszkodzony w transporcie, kartony zgniecione. ".repeat(120).trim();

registry.category("web_tour.tours").add("ar_portal_phone_dispute_tour", {
    steps: () => [
        {
            content: "Open the complaint form",
            trigger: "#ar_invoice_requests .o_ar_dispute_form",
            run() {
                this.anchor.closest("details").open = true;
            },
        },
        {
            content: "Choose the reason",
            trigger: "select#ar_reason",
            run: "select quality",
        },
        {
            content: "Paste a description longer than a complaint may be",
            trigger: "textarea#ar_description",
            run() {
                this.anchor.value = LONG_COMPLAINT;
            },
        },
        {
            content: "Send the complaint",
            trigger: ".o_ar_dispute_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form comes back open with the reason next to the text, which is kept",
            trigger: "details[open] .o_ar_dispute_form textarea.is-invalid + .o_ar_field_error",
            run() {
                assertNoSidewaysScroll("The invoice page");
                const text = document.querySelector("textarea#ar_description").value;
                if (text !== LONG_COMPLAINT) {
                    throw new Error(`the text typed was not kept (${text.length} of ${LONG_COMPLAINT.length} characters)`);
                }
                if (document.querySelector("select#ar_reason").value !== "quality") {
                    throw new Error("the reason chosen was not kept");
                }
                assertShown(document.querySelector(".o_ar_field_error"), "the error");
            },
        },
        {
            content: "Shorten the description",
            trigger: "textarea#ar_description",
            run: "edit Towar uszkodzony w transporcie, kartony zgniecione.",
        },
        {
            content: "Send it again",
            trigger: ".o_ar_dispute_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint is acknowledged",
            trigger: ".o_ar_dispute_opened",
        },
    ],
});
