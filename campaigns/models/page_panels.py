"""The campaign editor: four tabs in the order an editor builds a campaign."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Page

from cms.base.panels import scripts_panel

story_panels = Page.content_panels + [
    FieldPanel("lead"),
    MultiFieldPanel(
        [FieldPanel("hero_image"), FieldPanel("hero_credit")], heading=_("Hero picture")
    ),
    FieldPanel("body"),
]

action_panels = [
    FieldPanel("ask"),
    MultiFieldPanel(
        [FieldPanel("targeting"), FieldPanel("directory")],
        heading=_("Who the letters go to"),
        help_text=_(
            "A campaign writes to its own targets (below), to each supporter's "
            "representatives found from their postal code in a directory, or to both."
        ),
    ),
    InlinePanel(
        "campaign_targets",
        heading=_("Targets"),
        # Lower case: Wagtail writes "Add {label}" and capitalises it where it begins a heading.
        label=_("target"),
        help_text=_(
            "Who each action writes to. Every target receives its own email. Pick targets "
            "from the list, or create one there: a new target is a draft, which receives "
            "letters once someone who may publish targets publishes it."
        ),
    ),
    MultiFieldPanel(
        [
            FieldPanel("message_subject"),
            FieldPanel("message_body"),
            FieldPanel("letter_editable"),
            FieldPanel("personal_note_limit"),
        ],
        heading=_("The letter"),
    ),
    MultiFieldPanel(
        [
            HelpPanel(
                _("First name, last name and email are always asked. Choose what else to ask:")
            ),
            FieldRowPanel(
                [
                    FieldPanel("country_field"),
                    FieldPanel("postal_code_field"),
                    FieldPanel("phone_field"),
                ]
            ),
            FieldPanel("consent_text"),
            FieldPanel("button_label"),
            FieldPanel("privacy_note"),
        ],
        heading=_("The form"),
    ),
    MultiFieldPanel(
        [
            FieldRowPanel([FieldPanel("counter_offset"), FieldPanel("counter_goal")]),
            FieldPanel("milestones"),
            FieldPanel("count_breakdown"),
            FieldPanel("count_note"),
        ],
        heading=_("The counter"),
    ),
    MultiFieldPanel(
        [
            FieldPanel("confirmation_required"),
            FieldPanel("send_receipt"),
            FieldPanel("digest_minutes"),
            FieldPanel("reply_links"),
        ],
        heading=_("Confirmation and delivery"),
    ),
]

thank_you_panels = [
    HelpPanel(
        _(
            "Shown once an action counts: right after it, or, when supporters are asked to "
            "confirm by email, after they confirm (until then they are told only how to)."
        )
    ),
    FieldPanel("thank_you_message"),
    FieldPanel("share_text"),
    MultiFieldPanel(
        [FieldPanel("next_step_label"), FieldPanel("next_step_url")],
        heading=_("Next step"),
        help_text=_("An optional button after the thanks, e.g. to donate."),
    ),
]

settings_panels = (
    Page.promote_panels
    + [
        FieldPanel("social_image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("closed_message"),
            ],
            heading=_("Open for actions"),
        ),
    ]
    + Page.settings_panels
    + [scripts_panel("head_scripts", "body_scripts")]
)


def campaign_edit_handler():
    return TabbedInterface(
        [
            ObjectList(story_panels, heading=_("Story")),
            ObjectList(action_panels, heading=_("Action")),
            ObjectList(thank_you_panels, heading=_("Thank-you")),
            ObjectList(settings_panels, heading=_("Settings")),
        ]
    )
