"""The printable A4 day sheet (the rep's visit card): a drawn map of the day's stops with numbered circles
and the ordered list with the same numbers, plus an empty column for the order record ("三统一").

Chinese is set in Noto Sans SC, embedded as a subset (card_font.py); Latin runs (codes, times) in Helvetica.
The map is drawn in plain WGS84 lon/lat (it has no base map to agree with), fitted to the day's stops: a start
or end place beyond them (the office, often kilometres away) sits at the map's edge, towards where it is, with
its distance.
"""

from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from service.core.i18n import Translator
from service.day_list import card_font
from service.day_list.schemas import DayListPublic, DayVisitPublic

CJK_FONT = card_font.NAME
LATIN_FONT = "Helvetica"  # codes and times: narrow and even
NUMBER_FONT = "Helvetica-Bold"
LATIN_EXTRA = frozenset("–—‘’“”•…")  # outside Latin-1 but in Helvetica's encoding
MARGIN = 12 * mm
FRAME_PADDING = 6  # points, on each side of SimpleDocTemplate's frame
CONTENT_WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
MAP_HEIGHT = 92 * mm
MAP_PADDING = 9 * mm
STOP_RADIUS = 3.2 * mm
LABEL_GAP = 0.6 * mm  # between two numbered circles pushed apart
PLACE_LABEL_OFFSET = 7 * mm  # from the start/end square to the middle of its label
PLACE_SIDE, PLACE_LABEL_SIZE = 4.2 * mm, 7.5  # the start/end square, its label's font size
PLACE_LABEL_GAP = 1 * mm  # between the square and its label
ROUTE_COLOUR = colors.HexColor("#1f4e9c")
ADDRESS_SIZE, ADDRESS_COLOUR = 7, "#4a5568"
M_PER_DEG_LAT = 111_320.0
SCALE_BAR_STEPS_M = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
EDGE_INSET = 5 * mm  # a place beyond the stops is drawn this far inside the map's edge
# No. | code | outlet (and address) | channel | arrival | opening hours | order record | done; the outlet takes
# what is left. The code column holds a 10-character code (BAR6201345) whole: codes never wrap.
_FIXED_WIDTHS = [10 * mm, 26 * mm, None, 22 * mm, 14 * mm, 25 * mm, 20 * mm, 11 * mm]
COLUMN_WIDTHS = [w if w is not None else CONTENT_WIDTH - sum(x for x in _FIXED_WIDTHS if x) for w in _FIXED_WIDTHS]


def _register_fonts() -> None:
    card_font.register()


def _is_latin(char: str) -> bool:
    return ord(char) < 0x100 or char in LATIN_EXTRA


def mixed(text: str) -> str:
    """Paragraph markup of `text` (escaped) with its Latin runs in Helvetica and the rest in the CJK font."""
    runs: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or _is_latin(text[i]) != _is_latin(text[start]):
            run = escape(text[start:i])
            runs.append(f'<font name="{LATIN_FONT}">{run}</font>' if _is_latin(text[start]) else run)
            start = i
    return "".join(runs)


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=CJK_FONT, fontSize=15, leading=19),
        "line": ParagraphStyle("line", fontName=CJK_FONT, fontSize=9.5, leading=13),
        "cell": ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=CJK_FONT, fontSize=8, leading=10),
    }


class _Projection:
    """lon/lat -> points inside the map box, one scale for both axes (x shrunk by cos(latitude))."""

    def __init__(self, lonlat: list[tuple[float, float]], width: float, height: float):
        lons, lats = [p[0] for p in lonlat], [p[1] for p in lonlat]
        self.lat0 = (min(lats) + max(lats)) / 2
        self.kx = math.cos(math.radians(self.lat0))
        xs, ys = [lon * self.kx for lon in lons], lats
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
        inner_w, inner_h = width - 2 * MAP_PADDING, height - 2 * MAP_PADDING
        self.scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
        if math.isinf(self.scale):  # a single place: about 2 km across the box
            self.scale = inner_w / 0.02
        self.x0 = (min(xs) + max(xs)) / 2 - width / 2 / self.scale
        self.y0 = (min(ys) + max(ys)) / 2 - height / 2 / self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon * self.kx - self.x0) * self.scale, (lat - self.y0) * self.scale

    def points_per_m(self) -> float:
        return self.scale / M_PER_DEG_LAT


def _push_apart(a: list[float], b: list[float], radius: float, pair: int, move_b: bool) -> bool:
    """Moves the circles of centres a and b (or only a, when b is fixed) until they are 2 * radius apart;
    False when they already were."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    gap = math.hypot(dx, dy)
    if gap >= 2 * radius:
        return False
    if gap < 1e-6:  # same place: part along a direction fixed by the pair
        angle = pair * 2.399963
        dx, dy, gap = math.cos(angle), math.sin(angle), 1.0
        overlap = 2 * radius
    else:
        overlap = 2 * radius - gap
    share = overlap / 2 + 0.01 if move_b else overlap + 0.01
    a[0] -= dx / gap * share
    a[1] -= dy / gap * share
    if move_b:
        b[0] += dx / gap * share
        b[1] += dy / gap * share
    return True


def spread_labels(
    points: list[tuple[float, float]],
    radius: float,
    width: float,
    height: float,
    fixed: tuple[tuple[float, float], ...] = (),
    max_rounds: int = 200,
) -> list[tuple[float, float]]:
    """Centres for the numbered circles near their points, pushed apart until no two overlap and none covers a
    `fixed` place (as far as `max_rounds` rounds get), inside the box. Deterministic: a day prints the same."""
    centres = [list(p) for p in points]
    obstacles = [list(p) for p in fixed]
    for _ in range(max_rounds):
        moved = False
        for i, a in enumerate(centres):
            for j in range(i + 1, len(centres)):
                moved |= _push_apart(a, centres[j], radius, i * 7 + j * 3, move_b=True)
            for k, obstacle in enumerate(obstacles):
                moved |= _push_apart(a, list(obstacle), radius, i * 5 + k, move_b=False)
        for c in centres:
            c[0] = min(max(c[0], radius), width - radius)
            c[1] = min(max(c[1], radius), height - radius)
        if not moved:
            break
    return [(x, y) for x, y in centres]


def _scale_bar(drawing: Drawing, projection: _Projection, width: float) -> None:
    per_m = projection.points_per_m()
    length_m = max((s for s in SCALE_BAR_STEPS_M if s * per_m <= width / 4), default=SCALE_BAR_STEPS_M[0])
    x, y, length = 4 * mm, 4 * mm, length_m * per_m
    drawing.add(Line(x, y, x + length, y, strokeColor=colors.black, strokeWidth=1.2))
    for end in (x, x + length):
        drawing.add(Line(end, y - 1.2 * mm, end, y + 1.2 * mm, strokeColor=colors.black, strokeWidth=1.2))
    label = f"{length_m // 1000} km" if length_m >= 1000 else f"{length_m} m"
    drawing.add(String(x + length + 1.5 * mm, y - 1 * mm, label, fontName="Helvetica", fontSize=7))


def _inside(point: tuple[float, float], width: float, height: float) -> bool:
    return EDGE_INSET <= point[0] <= width - EDGE_INSET and EDGE_INSET <= point[1] <= height - EDGE_INSET


def _edge_point(
    inside: tuple[float, float], outside: tuple[float, float], width: float, height: float
) -> tuple[float, float]:
    """Where the segment from `inside` to `outside` leaves the map (EDGE_INSET inside its edge)."""
    (px, py), (qx, qy) = inside, outside
    share = 1.0
    for p, q, low, high in ((px, qx, EDGE_INSET, width - EDGE_INSET), (py, qy, EDGE_INSET, height - EDGE_INSET)):
        if q > high:
            share = min(share, (high - p) / (q - p))
        elif q < low:
            share = min(share, (low - p) / (q - p))
    return px + (qx - px) * share, py + (qy - py) * share


def _place_labels(
    ends: list[tuple[float, float]], texts: list[str], width: float, height: float
) -> list[tuple[float, float, str]]:
    """(x, y, text anchor) of the start and end places' labels: beside their square, towards the map's middle.
    When the two would print over each other (an office beyond the stops, out and back by one edge), they go to
    the outer sides of the pair, or where the map's edge leaves no room for that, the end's a line further in."""
    gap = PLACE_SIDE / 2 + PLACE_LABEL_GAP
    widths = [stringWidth(text, font_for(text), PLACE_LABEL_SIZE) for text in texts]

    def span(k: int, anchor: str) -> tuple[float, float]:
        x = ends[k][0]
        return (
            (x - PLACE_SIDE / 2, x + gap + widths[k])
            if anchor == "start"
            else (x - gap - widths[k], x + PLACE_SIDE / 2)
        )

    anchors = ["end" if x > width / 2 else "start" for x, _ in ends]
    ys = [y for _, y in ends]
    line = PLACE_LABEL_SIZE * 1.3
    (a0, a1), (b0, b1) = span(0, anchors[0]), span(1, anchors[1])
    if abs(ys[0] - ys[1]) < line and a0 < b1 and b0 < a1:
        left = 0 if ends[0][0] <= ends[1][0] else 1
        if span(left, "end")[0] >= 0 and span(1 - left, "start")[1] <= width:
            anchors[left], anchors[1 - left] = "end", "start"
        else:
            ys[1] += -line if ys[1] > height / 2 else line
    return [(x + (gap if anchor == "start" else -gap), y, anchor) for (x, _), y, anchor in zip(ends, ys, anchors)]


def day_map(listing: DayListPublic, t: Translator, width: float = CONTENT_WIDTH, height: float = MAP_HEIGHT) -> Drawing:
    """The day's route as a drawing: the start and end places as squares, the line in visiting order, and a
    numbered circle per stop (the list's numbers)."""
    drawing = Drawing(width, height)
    drawing.add(
        Rect(0, 0, width, height, strokeColor=colors.grey, strokeWidth=0.6, fillColor=colors.HexColor("#f6f7f9"))
    )
    if listing.start is None or listing.end is None:
        return drawing
    stops = [(v.lon, v.lat) for v in listing.visits]
    ends_lonlat = [(listing.start.lon, listing.start.lat), (listing.end.lon, listing.end.lat)]
    project = _Projection(stops or ends_lonlat, width, height)
    points = [project(lon, lat) for lon, lat in stops]
    # a start or end place beyond the stops: at the map's edge on its way there, labelled with the distance
    neighbours = (points[0], points[-1]) if points else (project(*ends_lonlat[1]), project(*ends_lonlat[0]))
    travelled = (listing.visits[0].distance_m if listing.visits else 0, listing.end.distance_m)
    ends: list[tuple[float, float]] = []
    end_texts: list[str] = []
    for (lon, lat), place, neighbour, metres in zip(
        ends_lonlat, (listing.start.place, listing.end.place), neighbours, travelled
    ):
        at = project(lon, lat)
        label = t("office") if place == "office" else t("home")
        if not _inside(at, width, height):
            at = _edge_point(neighbour, at, width, height)
            label += f" {metres / 1000:.1f} km"
        ends.append(at)
        end_texts.append(label)
    line = [c for x, y in [ends[0], *points, ends[1]] for c in (x, y)]
    drawing.add(PolyLine(line, strokeColor=ROUTE_COLOUR, strokeWidth=1.4, strokeLineJoin=1))
    placed = _place_labels(ends, end_texts, width, height)
    half = PLACE_SIDE / 2
    for (x, y), (label_x, label_y, anchor), label in zip(ends, placed, end_texts):
        drawing.add(Rect(x - half, y - half, PLACE_SIDE, PLACE_SIDE, fillColor=colors.black, strokeColor=colors.black))
        font = font_for(label)
        drawing.add(
            String(label_x, label_y - 1.2 * mm, label, fontName=font, fontSize=PLACE_LABEL_SIZE, textAnchor=anchor)
        )
    # keep "office"/"home" and their distance readable too: the numbers keep off their labels
    end_labels = tuple(
        (x + k * (PLACE_LABEL_OFFSET if anchor == "start" else -PLACE_LABEL_OFFSET), label_y)
        for (x, _), (_, label_y, anchor) in zip(ends, placed)
        for k in (1, 2)
    )
    labels = spread_labels(points, STOP_RADIUS + LABEL_GAP / 2, width, height, fixed=tuple(ends) + end_labels)
    for (px, py), (x, y) in zip(points, labels):
        if math.dist((px, py), (x, y)) > STOP_RADIUS / 2:  # moved off its outlet: a leader line points back
            drawing.add(Line(px, py, x, y, strokeColor=ROUTE_COLOUR, strokeWidth=0.5))
            drawing.add(Circle(px, py, 0.7 * mm, fillColor=ROUTE_COLOUR, strokeColor=None))
    for visit, (x, y) in zip(listing.visits, labels):  # circles over every line, so no number is crossed out
        drawing.add(Circle(x, y, STOP_RADIUS, fillColor=colors.white, strokeColor=ROUTE_COLOUR, strokeWidth=1.3))
        size = 7.5 if visit.seq < 100 else 6
        drawing.add(
            String(
                x,
                y - size * 0.35,
                str(visit.seq),
                fontName=NUMBER_FONT,
                fontSize=size,
                textAnchor="middle",
                fillColor=ROUTE_COLOUR,
            )
        )
    _scale_bar(drawing, project, width)
    return drawing


def _stop_table(listing: DayListPublic, t: Translator, cell: ParagraphStyle, head: ParagraphStyle) -> Table:
    header = [t(key) for key in ("number", "code", "outlet", "channel", "arrival", "opening_hours", "order", "done")]
    rows: list[list] = [[_paragraph(text, head) for text in header]]
    lunch_text = f"{t('lunch')} {listing.lunch.start}-{listing.lunch.end}" if listing.lunch else ""
    lunch_row = None
    if listing.lunch is not None and listing.lunch.after_seq == 0:
        rows.append(["", _paragraph(lunch_text, cell)] + [""] * 6)
        lunch_row = len(rows) - 1
    for visit in listing.visits:
        texts = [t.channel(visit.channel), visit.arrival, ", ".join(visit.opening_hours) or t("closed")]
        rows.append(
            [str(visit.seq), _paragraph(visit.outlet_code, cell), _outlet_cell(visit, cell)]
            + [_paragraph(text, cell) for text in texts]
            + ["", ""]
        )
        if listing.lunch is not None and listing.lunch.after_seq == visit.seq:
            rows.append(["", _paragraph(lunch_text, cell)] + [""] * 6)
            lunch_row = len(rows) - 1
    style = [
        ("FONTNAME", (0, 1), (0, -1), NUMBER_FONT),
        ("FONTSIZE", (0, 1), (0, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e8ef")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa3b0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("TOPPADDING", (0, 1), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
    ]
    if lunch_row is not None:
        style += [
            ("SPAN", (1, lunch_row), (-1, lunch_row)),
            ("BACKGROUND", (0, lunch_row), (-1, lunch_row), colors.HexColor("#fbf3dc")),
        ]
    return Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1, style=TableStyle(style))


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Chinese text may break between any two characters; Latin text only between words."""
    if not all(_is_latin(c) for c in text):
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(mixed(text), style)


def _outlet_cell(visit: DayVisitPublic, style: ParagraphStyle) -> Paragraph:
    """The outlet's name and, smaller below it, its address (the rep finds the door by it)."""
    markup = mixed(visit.outlet_name)
    if visit.address:
        markup += f'<br/><font size="{ADDRESS_SIZE}" color="{ADDRESS_COLOUR}">{mixed(visit.address)}</font>'
    if not all(_is_latin(c) for c in visit.outlet_name + visit.address):
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(markup, style)


def font_for(text: str) -> str:
    return LATIN_FONT if all(_is_latin(c) for c in text) else CJK_FONT


def day_sheet_pdf(listing: DayListPublic, t: Translator) -> bytes:
    """The visit card of one rep's day as an A4 PDF (several pages when the list is long)."""
    _register_fonts()
    styles = _styles()
    plan_ref = t("plan_ref", plan_id=listing.plan_id, week=listing.week + 1)
    story: list = [
        _paragraph(f"{t('visit_card')} · {listing.rep_code} {listing.rep_name}", styles["title"]),
        _paragraph(f"{listing.date.isoformat()} {t.weekday(listing.weekday)} · {plan_ref}", styles["line"]),
    ]
    if not listing.visits:
        story.append(_paragraph(t("no_visits") if listing.working_day else t("not_working_day"), styles["line"]))
    else:
        assert listing.start is not None and listing.end is not None
        summary = t(
            "day_summary",
            visits=len(listing.visits),
            departure=listing.start.departure,
            arrival=listing.end.arrival,
            km=f"{listing.distance_m / 1000:.1f}",
        )
        story += [
            _paragraph(summary, styles["line"]),
            Spacer(1, 3 * mm),
            day_map(listing, t),
            Spacer(1, 4 * mm),
            _stop_table(listing, t, styles["cell"], styles["head"]),
        ]
    footer = t("sheet_footer")

    def draw_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font_for(footer), 8)
        canvas.drawString(MARGIN + FRAME_PADDING, 7 * mm, footer)
        page = t("page_n", n=document.page)
        canvas.setFont(font_for(page), 8)
        canvas.drawRightString(A4[0] - MARGIN - FRAME_PADDING, 7 * mm, page)
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=14 * mm,
        title=f"{t('visit_card')} {listing.rep_code} {listing.date.isoformat()}",
        author="routeplan",
    )
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
