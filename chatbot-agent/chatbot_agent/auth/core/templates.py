"""Mail templates: each written once, rendered as a plain-text part and an HTML part.

A template is a subject, paragraphs and an optional button (label + link). `{name}` placeholders are filled with
`str.format`; in the HTML part every value is escaped. Methods declare their templates next to their code with
`MailTemplate(...)`; the core's own are below."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .mail import Draft

FONT = "font-family:system-ui,-apple-system,Segoe UI,sans-serif"
LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{subject}</title></head>
<body style="margin:0;padding:24px;background:#f6f7f9;{font};color:#1f2328">
<div style="max-width:520px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
{body}
</div></body></html>"""


@dataclass(frozen=True)
class MailTemplate:
    subject: str
    paragraphs: tuple[str, ...]
    action: str | None = None  # the button's label; the link is the `link` value
    after: tuple[str, ...] = ()  # paragraphs below the button

    def render(self, to: str, **values: str) -> Draft:
        greeting = f"Hello {values['first_name']}," if values.get("first_name") else "Hello,"
        text_parts = [greeting, *(p.format(**values) for p in self.paragraphs)]
        safe = {k: html.escape(str(v)) for k, v in values.items()}
        html_parts = [f"<p>{html.escape(greeting)}</p>", *(f"<p>{p.format(**safe)}</p>" for p in self.paragraphs)]
        if self.action:
            link = values["link"]
            text_parts.append(f"{self.action}:\n{link}")
            html_parts.append(
                f'<p><a href="{safe["link"]}" style="display:inline-block;padding:10px 16px;background:#2f5bea;'
                f'color:#fff;border-radius:6px;text-decoration:none">{html.escape(self.action)}</a></p>'
                f'<p style="font-size:13px;color:#57606a">Or paste this link into your browser: {safe["link"]}</p>'
            )
        text_parts += [p.format(**values) for p in self.after]
        html_parts += [f"<p>{p.format(**safe)}</p>" for p in self.after]
        subject = self.subject.format(**values)
        body = "\n".join(html_parts)
        return Draft(
            to,
            subject,
            "\n\n".join(text_parts) + "\n",
            LAYOUT.format(subject=html.escape(subject), body=body, font=FONT),
        )


PASSWORD_CHANGED = MailTemplate(
    subject="Your password was changed",
    paragraphs=("The password of your account was just {how}; other sessions were signed out.",),
    after=("If this was not you, reset your password now: {forgot_link}",),
)
