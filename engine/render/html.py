"""One self-contained HTML page per explanation, read as a memo: for a clerk, to send to a colleague.

The page states the outcome, then each ground as a paragraph with the
authorities it rests on — an authority's words quoted the first time it is
cited on the page and linked to after that — with the step-by-step reasoning
and the ground's own graph (scaled to the column) folded under it, opened by
a click (``<details>``). Beside it stands the decision's text with every
quoted passage highlighted (``<mark>``) and linked both ways to the fact it
establishes. It loads nothing from anywhere (styles inline, no script), fits
a 1,400-px window without scrolling sideways, and HTML-escapes every piece of
text from the rules or the case.
"""

from __future__ import annotations

import html
import re

from lexkb.explain.graph import Derivation, Node
from lexkb.language.citations import labelled_parts
from lexkb.language.highlight import highlight_html, stylesheet
from lexkb.version import __version__

from .common import budget_note, case_line, describe, quotes_of, sentence, summary
from .dot import image, render_dot
from .passages import locate, segments

MAX_NESTING = 40  # deeper chains continue in the graph

_STYLE = """
* { box-sizing: border-box; }
body { font: 16px/1.5 Georgia, "Times New Roman", serif; color: #1a1a1a; margin: 0; background: #fff; }
.page { display: grid; grid-template-columns: minmax(0, 1fr); max-width: 1360px; margin: 0 auto;
        padding: 16px 24px 48px; column-gap: 32px; }
.page.with-order { grid-template-columns: minmax(0, 1fr) minmax(260px, 36%); }
main { min-width: 0; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h1.holds { color: #1f4e79; } h1.fails { color: #9c0006; }
h2 { font-size: 20px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 28px; }
h3 { font-size: 17px; margin: 0 0 6px; }
.case { color: #444; margin: 0; }
.lead { font-size: 18px; margin: 4px 0 12px; }
code { font: 14px/1.4 Menlo, Consolas, monospace; background: #f3f3f3; padding: 0 3px; border-radius: 3px;
       overflow-wrap: anywhere; }
.where { color: #666; font-size: 13px; font-family: Menlo, Consolas, monospace; overflow-wrap: anywhere; }
article.ground { border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 14px 0; }
article.ground:target, li:target { background: #fffbe6; }
.authority { margin: 6px 0; }
.read-as { color: #555; font-size: 13px; } .read-as .part { color: #111; }
blockquote { font-style: italic; color: #333; margin: 4px 0 8px 16px; border-left: 3px solid #d9d9d9;
             padding-left: 10px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #1f4e79; }
ul.conditions { margin: 4px 0; padding-left: 22px; }
ul.conditions li { margin: 3px 0; }
li.failed { color: #9c0006; }
.ground-graph { border: 1px solid #ddd; padding: 8px; background: #fcfcfc; }
.ground-graph svg { display: block; max-width: 100%; height: auto; }
a.to-order, a.to-fact { font-size: 13px; font-family: Helvetica, Arial, sans-serif; }
aside#order { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto;
              border-left: 1px solid #ddd; padding: 8px 0 24px 20px; }
aside#order .text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 14px; line-height: 1.45; }
mark { background: #fff2a8; }
mark a { color: inherit; text-decoration: none; }
.anchor:target + mark, mark:hover { background: #ffd54f; outline: 2px solid #e69500; }
footer { margin-top: 40px; color: #777; font-size: 13px; }
@media (max-width: 900px) { .page.with-order { grid-template-columns: minmax(0, 1fr); }
  aside#order { position: static; max-height: none; border-left: 0; padding-left: 0; } }
"""


def esc(text: object) -> str:
    """HTML-escaped text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(text), quote=True)


def render_html(d: Derivation, *, depth: int | None = None, collapse: bool | None = None) -> str:
    """The page; needs Graphviz's ``dot`` for the graphs (a LexkbError says how to install it)."""
    return _Page(d, depth, collapse).render()


def inline_svg(data: bytes, prefix: str = "") -> str:
    """Graphviz's SVG without the XML prologue and DOCTYPE (which point at an external DTD), its ids
    prefixed so that several graphs on one page keep distinct ids."""
    text = data.decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    if prefix:
        text = re.sub(r'\bid="', f'id="{prefix}', text)
    return text.strip()


class _Page:
    """The page under construction: which facts are numbered how, which authorities are already quoted."""

    def __init__(self, d: Derivation, depth: int | None, collapse: bool | None) -> None:
        self.d, self.depth, self.collapse = d, depth, collapse
        self.facts = d.case_facts()
        self.number = {fact.id: index + 1 for index, fact in enumerate(self.facts)}
        quotes = {(self.number[f.id], index): quote for f in self.facts for index, quote in enumerate(quotes_of(f.detail), 1)}
        self.passages = locate(quotes, d.source_text) if d.source_text else {}
        self.quoted: set[str] = set()

    def render(self) -> str:
        d = self.d
        title, more = summary(d)
        name = d.case.get("name")
        order = self._order()
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}{esc(' — ' + name) if name else ''}</title>",
            f"<style>{_STYLE}{stylesheet('.lexkb')}</style>",
            "</head>",
            "<body>",
            f'<div class="page{" with-order" if order else ""}">',
            "<main>",
            "<header>",
        ]
        case = case_line(d)
        if case:
            parts.append(f'<p class="case">{esc(case)}</p>')
        parts.append(f'<h1 id="outcome" class="{"holds" if d.holds else "fails"}">{esc(title)}</h1>')
        if more:
            parts.append(f'<p class="lead">{esc(more)}</p>')
        parts.append("</header>")
        parts.extend(self._grounds())
        parts.extend(self._facts())
        parts.extend(self._authorities())
        parts.append(f"<footer>Explanation produced by lexkb {esc(__version__)}.</footer>")
        parts.append("</main>")
        parts.extend(order)
        parts += ["</div>", "</body>", "</html>"]
        return "\n".join(parts) + "\n"

    # -- the grounds

    def _grounds(self) -> list[str]:
        d = self.d
        out = ['<section id="grounds">', f"<h2>{'Grounds' if d.mode == 'why' else 'Rules that could have concluded it'}</h2>"]
        first = int(d.nodes[d.root].detail.get("ground", [1])[0])
        for index, rule in enumerate(d.grounds):
            number = first + index
            heading = f"Ground {number}" if d.mode == "why" else f"Rule {number}"
            out.append(f'<article class="ground" id="ground-{number}">')
            out.append(f"<h3>{esc(heading)}: {_rule_title(rule)}</h3>")
            out.append(f"<p>{self._paragraph(rule)}</p>")
            out.extend(self._cite(self._ground_authorities(rule)))
            out.append("<details><summary>The reasoning, step by step</summary>")
            out.extend(self._rule_body(rule, set(), 0))
            out.append("</details>")
            out.append(f"<details><summary>The graph of {esc(heading.lower())}</summary>")
            out.append(f'<div class="ground-graph">{self._graph(index + 1, number)}</div>')
            out.append("</details>")
            out.append("</article>")
        root = d.nodes[d.root]
        for node in d.children(root):
            if node.kind != "rule" and node.kind != "more":  # why-not on an atom no rule concludes
                out.append(f'<p class="failed">{self._sentence(node)}</p>')
        if root.detail.get("more_grounds"):
            count = root.detail["more_grounds"]
            out.append(f"<p>{esc(count)} more {'ground' if count == 1 else 'grounds'}, not shown.</p>")
        note = budget_note(d)
        if note:
            out.append(f'<p class="failed">{esc(note)}</p>')
        out.append("</section>")
        return out

    def _paragraph(self, rule: Node) -> str:
        """A ground in plain sentences: the rule, what it rests on, and each of its conditions."""
        d = self.d
        name = f"rule <code>{esc(rule.detail['rule'])}</code>" if rule.detail.get("name") else "a rule"
        if d.mode == "why":
            text = f"<code>{esc(describe(d.nodes[d.root]))}</code> holds under {name}"
        else:
            text = f"{name.capitalize()} could have concluded <code>{esc(describe(d.nodes[d.root]))}</code>"
        names = [a["name"] for a in self._ground_authorities(rule)]
        if names:
            text += ", which rests on " + _and([f'<a href="#authority-{esc(n)}">{esc(n)}</a>' for n in names])
        text += "."
        conditions = [self._sentence(c) for c in self.d.children(rule)]
        if conditions:
            text += " " + ("It needs: " if d.mode == "why" else "") + " ".join(conditions)
        return text

    def _ground_authorities(self, rule: Node) -> list[dict]:
        """Every authority the ground rests on, down its whole derivation, each once, in order of citation."""
        seen: dict[str, dict] = {}
        stack, visited = [rule.id], set()
        while stack:
            node = self.d.nodes[stack.pop()]
            if node.id in visited or (self.depth is not None and node.level > self.depth):
                continue
            visited.add(node.id)
            for authority in node.detail.get("authorities", ()):
                seen.setdefault(authority["name"], authority)
            stack.extend(reversed(node.children))
        return list(seen.values())

    def _cite(self, authorities: list[dict]) -> list[str]:
        """An authority's words are quoted the first time the page cites it; after that, a link to them."""
        out = []
        for authority in authorities:
            name = authority["name"]
            if name in self.quoted:
                continue
            self.quoted.add(name)
            out.append(f'<div class="authority" id="authority-{esc(name)}"><cite>{esc(authority["citation"])}</cite>'
                       f' <span class="where">({esc(name)})</span>')
            if authority.get("says"):
                out.append(f"<blockquote>\u201c{esc(authority['says'])}\u201d</blockquote>")
            out.append("</div>")
        return out

    def _graph(self, index: int, number: int) -> str:
        source = render_dot(self.d.ground(index), depth=self.depth, collapse=self.collapse, legend=False,
                            title=False)
        return inline_svg(image(source, "svg"), f"g{number}-")

    def _rule_body(self, rule: Node, explained: set[str], nesting: int) -> list[str]:
        out = []
        cited = [f'<a href="#authority-{esc(a["name"])}">{esc(a["name"])}</a>'
                 for a in rule.detail.get("authorities", ())]
        if cited:
            out.append(f'<p class="authority">Because {_and(cited)}.</p>')
        if rule.failed and rule.detail.get("satisfied"):
            out.append(f"<p>Its conditions held up to {_rule_text(rule.detail.get('failed_condition', ''))}: "
                       + ", ".join(_rule_text(s) for s in rule.detail["satisfied"]) + ".</p>")
        out.append('<ul class="conditions">')
        for node in self.d.children(rule):
            out.extend(self._condition(node, explained, nesting))
        out.append("</ul>")
        return out

    def _condition(self, node: Node, explained: set[str], nesting: int) -> list[str]:
        css = ' class="failed"' if node.failed else ""
        text = self._sentence(node)
        shown = [c for c in self.d.children(node) if self.depth is None or c.level <= self.depth]
        rules = [c for c in shown if c.kind == "rule"]
        others = [c for c in shown if c.kind != "rule"]
        if not rules and not others:
            return [f"<li{css}>{text}</li>"]
        if node.id in explained or nesting >= MAX_NESTING:
            note = "explained above" if node.id in explained else "continued in the graph"
            return [f"<li{css}>{text} <em>({note})</em></li>"]
        explained.add(node.id)
        out = [f"<li{css}>{text}"]
        for rule in rules:
            verb = "because of" if not rule.failed else "A rule that could conclude it,"
            out.append(f"<p>{verb} {_rule_title(rule)}:</p>")
            out.extend(self._rule_body(rule, explained, nesting + 1))
        if others:
            out.append('<ul class="conditions">')
            for other in others:
                out.extend(self._condition(other, explained, nesting + 1))
            out.append("</ul>")
        out.append("</li>")
        return out

    def _sentence(self, node: Node) -> str:
        """A condition as an escaped sentence; a fact of the case links to its words in the order."""
        if node.kind == "not_concluded":
            return f"<code>{esc(describe(node))}</code> does not hold."
        text = esc(sentence(self.d, node))
        number = self.number.get(node.id)
        if number is not None:
            text += f' <a class="to-fact" href="#fact-{number}">(fact {number})</a>'
            if (number, 1) in self.passages:
                text += f' <a class="to-order" href="#src-{number}">see it in the order</a>'
        return text

    # -- the facts, the authorities, the order

    def _facts(self) -> list[str]:
        if not self.facts:
            return []
        source = self.d.case.get("source")
        out = ['<section id="facts">', "<h2>The facts of the case</h2>"]
        if source:
            out.append(f"<p>Each with the words of <code>{esc(source)}</code> that establish it.</p>")
        out.append("<ol>")
        for fact in self.facts:
            number = self.number[fact.id]
            where = fact.detail.get("location")
            out.append(f'<li id="fact-{number}"><code>{esc(describe(fact))}</code>'
                       + (f' <span class="where">{esc(where)}</span>' if where else ""))
            for index, quote in enumerate(quotes_of(fact.detail), 1):
                out.append(f"<blockquote>\u201c{esc(quote)}\u201d</blockquote>")
                if (number, index) in self.passages:
                    out.append(f'<a class="to-order" href="#{_source_id(number, index)}">see it in the order</a>')
            out.append("</li>")
        out += ["</ol>", "</section>"]
        return out

    def _authorities(self) -> list[str]:
        authorities = self.d.authorities()
        if not authorities:
            return []
        citations = self.d.citations()
        out = ['<section id="authorities">', "<h2>Authorities</h2>", "<ul>"]
        for authority in authorities:
            name = authority["name"]
            link = f' <a href="#authority-{esc(name)}">quoted above</a>' if name in self.quoted else ""
            out.append(f'<li><cite>{esc(authority["citation"])}</cite> <span class="where">({esc(name)})</span>'
                       f"{link}{_read_as(citations.get(name, []))}</li>")
        out += ["</ul>", "</section>"]
        return out

    def _order(self) -> list[str]:
        """The decision's text, each quoted passage marked and linked to the fact it establishes."""
        text = self.d.source_text
        if not text:
            return []
        labels = {self.number[f.id]: describe(f) for f in self.facts}
        pieces: list[str] = []
        for piece, covering, starting in segments(text, self.passages):
            pieces.extend(f'<span class="anchor" id="{_source_id(*k)}"></span>' for k in starting)
            if covering:
                k, _ = covering[0]
                pieces.append(f'<mark><a href="#fact-{k}" title="fact {k}: {esc(labels[k])}">{esc(piece)}</a></mark>')
            else:
                pieces.append(esc(piece))
        return ['<aside id="order">', f"<h2>The order: <code>{esc(self.d.case.get('source') or '')}</code></h2>",
                "<p>The passages the facts quote are marked; click one to see its fact.</p>",
                f'<div class="text">{"".join(pieces)}</div>', "</aside>"]


def _source_id(number: int, index: int) -> str:
    """The anchor of a fact's quote in the order: ``src-3`` for fact 3's first, ``src-3-2`` for its second."""
    return f"src-{number}" if index == 1 else f"src-{number}-{index}"


def _read_as(citations: list[dict[str, str]]) -> str:
    """An authority's citation as read (reporter, volume, page, court, year…), one line per citation."""
    lines = [" · ".join(f'{esc(label)} <span class="part">{esc(value)}</span>' for label, value in labelled_parts(parts))
             for parts in citations]
    return "".join(f'<div class="read-as">{line}</div>' for line in lines)


def _rule_title(rule: Node) -> str:
    detail = rule.detail
    name = f"rule <code>{esc(detail['rule'])}</code>" if detail.get("name") else "a rule"
    return f'{name} <span class="where">{esc(detail["location"])}</span>'


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rule_text(text: str) -> str:
    """Rule-language text (a condition as written), highlighted as an editor shows it."""
    return f'<code class="lexkb">{highlight_html(text).rstrip()}</code>'
