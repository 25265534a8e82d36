"""One self-contained HTML page per explanation, for a lawyer to send to a colleague.

The page states the outcome, then each ground in plain sentences (nested
where a condition is itself a conclusion), the graph as inline SVG drawn by
Graphviz, the authorities with what each stands for, and the quotes from the
record. It loads nothing from anywhere: styles are inline, there is no script.
Every piece of text from the rules or the case is HTML-escaped.
"""

from __future__ import annotations

import html
import re

from lexkb.explain.graph import Derivation, Node
from lexkb.version import __version__

from .common import case_line, sentence, summary
from .dot import image, render_dot

MAX_NESTING = 40  # deeper chains continue in the graph

_STYLE = """
body { font: 16px/1.5 Georgia, "Times New Roman", serif; color: #1a1a1a; margin: 0 auto; max-width: 1100px;
       padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h1.holds { color: #1f4e79; } h1.fails { color: #9c0006; }
h2 { font-size: 20px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 17px; margin: 16px 0 4px; }
.case { color: #444; margin: 0; }
.lead { font-size: 18px; margin: 4px 0 16px; }
code { font: 14px/1.4 Menlo, Consolas, monospace; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
.where { color: #666; font-size: 13px; font-family: Menlo, Consolas, monospace; }
.authority { margin: 2px 0 6px; }
.says, blockquote { font-style: italic; color: #333; margin: 4px 0 8px 16px; border-left: 3px solid #d9d9d9;
       padding-left: 10px; }
ol.grounds > li { margin-bottom: 18px; }
ul.conditions { margin: 4px 0; padding-left: 22px; }
ul.conditions li { margin: 3px 0; }
li.failed { color: #9c0006; }
.graph { overflow: auto; border: 1px solid #ddd; padding: 8px; background: #fcfcfc; }
.graph svg { height: auto; }
footer { margin-top: 40px; color: #777; font-size: 13px; }
"""


def esc(text: object) -> str:
    """HTML-escaped text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(text), quote=True)


def render_html(d: Derivation, *, depth: int | None = None, collapse: bool | None = None) -> str:
    """The page; needs Graphviz's ``dot`` for the graph (a LexkbError says how to install it)."""
    svg = inline_svg(image(render_dot(d, depth=depth, collapse=collapse), "svg"))
    title, more = summary(d)
    case = case_line(d)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}{esc(' — ' + (d.case.get('name') or '')) if d.case.get('name') else ''}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
    ]
    if case:
        parts.append(f'<p class="case">{esc(case)}</p>')
    parts.append(f'<h1 id="outcome" class="{"holds" if d.holds else "fails"}">{esc(title)}</h1>')
    if more:
        parts.append(f'<p class="lead">{esc(more)}</p>')
    parts.append("</header>")
    parts.append('<section id="grounds">')
    parts.append(f"<h2>{'Grounds' if d.mode == 'why' else 'Rules that could have concluded it'}</h2>")
    parts.extend(_grounds(d, depth))
    parts.append("</section>")
    parts.append('<section id="graph">')
    parts.append("<h2>The derivation graph</h2>")
    parts.append('<p>Read from the top: the outcome, the rules it rests on with their authorities, '
                 'and below them the conditions, down to the words of the record.</p>')
    parts.append(f'<div class="graph">{svg}</div>')
    parts.append("</section>")
    parts.extend(_authorities(d))
    parts.extend(_record(d))
    parts.append(f"<footer>Explanation produced by lexkb {esc(__version__)}.</footer>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def inline_svg(data: bytes) -> str:
    """Graphviz's SVG without the XML prologue and DOCTYPE (which point at an external DTD)."""
    text = data.decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    return text.strip()


def _grounds(d: Derivation, depth: int | None) -> list[str]:
    out = ['<ol class="grounds">']
    explained: set[str] = set()
    for index, rule in enumerate(d.grounds, 1):
        heading = f"Ground {index}" if d.mode == "why" else f"Rule {index}"
        out.append('<li class="ground">')
        out.append(f"<h3>{esc(heading)}: {_rule_title(rule)}</h3>")
        out.extend(_rule_body(d, rule, depth, explained, 0))
        out.append("</li>")
    root = d.nodes[d.root]
    for node in d.children(root):
        if node.kind != "rule":  # why-not on an atom no rule concludes
            out.append(f'<li class="failed">{esc(sentence(d, node))}</li>')
    if root.detail.get("more_grounds"):
        more = root.detail["more_grounds"]
        out.append(f"<li>{esc(more)} more {'ground' if more == 1 else 'grounds'}, not listed.</li>")
    out.append("</ol>")
    return out


def _rule_title(rule: Node) -> str:
    detail = rule.detail
    name = f"rule <code>{esc(detail['rule'])}</code>" if detail.get("name") else "a rule"
    return f'{name} <span class="where">{esc(detail["location"])}</span>'


def _rule_body(d: Derivation, rule: Node, depth: int | None, explained: set[str], nesting: int) -> list[str]:
    out = []
    for authority in rule.detail.get("authorities", ()):
        out.append(f'<p class="authority">Because <cite>{esc(authority["citation"])}</cite>'
                   f' <span class="where">({esc(authority["name"])})</span></p>')
        if authority.get("says"):
            out.append(f'<p class="says">\u201c{esc(authority["says"])}\u201d</p>')
    if rule.failed and rule.detail.get("satisfied"):
        out.append(f"<p>Its conditions held up to <code>{esc(rule.detail.get('failed_condition', ''))}</code>: "
                   + ", ".join(f"<code>{esc(s)}</code>" for s in rule.detail["satisfied"]) + ".</p>")
    out.append('<ul class="conditions">')
    for node in d.children(rule):
        out.extend(_condition(d, node, depth, explained, nesting))
    out.append("</ul>")
    return out


def _condition(d: Derivation, node: Node, depth: int | None, explained: set[str], nesting: int) -> list[str]:
    css = ' class="failed"' if node.failed else ""
    text = esc(sentence(d, node))
    rules = [c for c in d.children(node) if c.kind == "rule" and (depth is None or c.level <= depth)]
    others = [c for c in d.children(node) if c.kind != "rule" and (depth is None or c.level <= depth)]
    if node.kind == "not_concluded":
        text = f"<code>{esc(node.label)}</code> does not hold."
    if not rules and not others:
        return [f"<li{css}>{text}</li>"]
    if node.id in explained or nesting >= MAX_NESTING:
        return [f"<li{css}>{text} <em>(explained above)</em></li>" if node.id in explained
                else f"<li{css}>{text} <em>(continued in the graph)</em></li>"]
    explained.add(node.id)
    out = [f"<li{css}>{text}"]
    for rule in rules:
        verb = "because of" if not rule.failed else "A rule that could conclude it,"
        out.append(f"<p>{verb} {_rule_title(rule)}:</p>")
        out.extend(_rule_body(d, rule, depth, explained, nesting + 1))
    if others:
        out.append('<ul class="conditions">')
        for other in others:
            out.extend(_condition(d, other, depth, explained, nesting + 1))
        out.append("</ul>")
    out.append("</li>")
    return out


def _authorities(d: Derivation) -> list[str]:
    authorities = d.authorities()
    if not authorities:
        return []
    out = ['<section id="authorities">', "<h2>Authorities</h2>", "<ul>"]
    for authority in authorities:
        out.append(f'<li><cite>{esc(authority["citation"])}</cite> <span class="where">({esc(authority["name"])})'
                   "</span>")
        if authority.get("says"):
            out.append(f"<blockquote>\u201c{esc(authority['says'])}\u201d</blockquote>")
        out.append("</li>")
    out += ["</ul>", "</section>"]
    return out


def _record(d: Derivation) -> list[str]:
    facts = d.case_facts()
    if not facts:
        return []
    source = d.case.get("source")
    out = ['<section id="record">', "<h2>The record</h2>"]
    if source:
        out.append(f"<p>The facts of the case this explanation rests on, with the words of <code>{esc(source)}"
                   "</code> that establish them.</p>")
    out.append("<ul>")
    for fact in facts:
        out.append(f"<li><code>{esc(fact.label)}</code>"
                   + (f' <span class="where">{esc(fact.detail["location"])}</span>' if fact.detail.get("location")
                      else ""))
        if fact.detail.get("quote"):
            out.append(f"<blockquote>\u201c{esc(fact.detail['quote'])}\u201d</blockquote>")
        out.append("</li>")
    out += ["</ul>", "</section>"]
    return out
