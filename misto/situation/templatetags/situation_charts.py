"""The dashboard's charts without a chart library or CDN: bars as an HTML list, the trend
as inline SVG; readable without colour (every bar carries its number) and described for
screen readers."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from misto.situation.services import Bar

register = template.Library()


@register.simple_tag
def bar_chart(bars: list[Bar], title: str) -> SafeString:
    """Horizontal bars as an HTML list, one row per item: the label wraps instead of being
    cut (an SVG's text cannot), and each bar carries its number (readable without colour)."""
    if not bars:
        return mark_safe("")
    top = max(bar.value for bar in bars) or 1
    rows = "".join(
        format_html('<li><span class="bar-label">{}</span><span class="bar-track">'
                    '<span class="bar-fill" style="width:{}%;background:{}"></span>'
                    '<span class="bar-value">{}</span></span></li>',
                    bar.label, round(100 * bar.value / top, 1), bar.color, bar.value)
        for bar in bars)
    return format_html('<ol class="bar-chart" aria-label="{}">{}</ol>', title, mark_safe(rows))


@register.simple_tag
def trend_chart(opened: list[Bar], resolved: list[Bar], title: str,
                width: int = 420, height: int = 150) -> SafeString:
    """Opened (bars) and resolved (line) per day."""
    if not opened:
        return mark_safe("")
    top = max([bar.value for bar in opened] + [bar.value for bar in resolved] + [1])
    plot_h = height - 30
    step = width / len(opened)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    points = []
    for i, (o, r) in enumerate(zip(opened, resolved, strict=True)):
        h = plot_h * o.value / top
        x = i * step
        parts.append(f'<rect x="{x + 2:.1f}" y="{plot_h - h + 4:.1f}" width="{step - 4:.1f}" '
                     f'height="{h:.1f}" fill="#0b5cad"><title>{escape(o.label)}: '
                     f'{o.value}</title></rect>')
        points.append(f"{x + step / 2:.1f},{plot_h - plot_h * r.value / top + 4:.1f}")
        if i % 2 == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - 4}" class="chart-axis" '
                         f'text-anchor="middle">{escape(o.label)}</text>')
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#2b8a3e" '
                 f'stroke-width="3"></polyline></svg>')
    return mark_safe("".join(parts))  # every text above is escaped
