//! Drawing the charts as SVG on the server, with plotters.
//!
//! Plotters draws the picture (bars, lines, text, which it escapes); the
//! layout is ours, in pixels, so that after drawing we know where each bar
//! is and can lay a link over it: a transparent `<a>` with the bar's
//! tooltip, pointing at the Errors tab rows the bar counts. The SVG gets a
//! `<title>` and `<desc>` for screen readers.

use bounce::BounceClass;
use bounce::chart::ClassCounts;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One colour per class, the same in every chart and on the Errors tab
/// (style/main.css). From Okabe and Ito's palette for colour-blind readers;
/// each has at least 3:1 contrast against white (WCAG 1.4.11), and they
/// differ in lightness too, so they stay apart in grey.
pub const CLASS_COLOURS: [(BounceClass, RGBColor, &str); 3] = [
    (BounceClass::Hard, RGBColor(0xD5, 0x5E, 0x00), "#D55E00"),
    (BounceClass::Soft, RGBColor(0x00, 0x72, 0xB2), "#0072B2"),
    (BounceClass::Undetermined, RGBColor(0x5F, 0x5F, 0x5F), "#5F5F5F"),
];
const INK: RGBColor = RGBColor(0x1F, 0x23, 0x28);
const GRID: RGBColor = RGBColor(0xD8, 0xDC, 0xE0);
const WARNING: RGBColor = RGBColor(0x8A, 0x5A, 0x00);
const LIMIT: RGBColor = RGBColor(0xB0, 0x00, 0x20);

const WIDTH: u32 = 640;
const ROW: i32 = 26;
const LABEL_AREA: i32 = 180;
const FONT: &str = "sans-serif";

/// What a chart says about itself, for screen readers and tooltips.
pub struct Caption<'a> {
    /// Unique on the page: the ids of `<title>` and `<desc>` derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

/// One bar: stacked by class, or a single value.
pub struct Bar {
    pub label: String,
    pub value: BarValue,
    /// Text at the end of the bar (a count, a rate).
    pub note: String,
    pub href: Option<String>,
    pub tooltip: String,
}

/// What a bar's length shows.
pub enum BarValue {
    Classes(ClassCounts),
    /// One value in one class's colour (a change of rate).
    Plain(f64, BounceClass),
    /// A heading row between groups of bars.
    Heading,
}

/// A class's colour in [`CLASS_COLOURS`].
pub fn class_colour(class: BounceClass) -> RGBColor {
    CLASS_COLOURS
        .iter()
        .find(|(c, _, _)| *c == class)
        .map_or(INK, |(_, colour, _)| *colour)
}

/// A link laid over a drawn shape.
struct Overlay {
    href: String,
    tooltip: String,
    area: (i32, i32, i32, i32),
}

fn attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Adds the caption and the link overlays to what plotters drew. The SVG
/// is a `group`, not an `img`: an image may not hold the links.
fn finish(mut svg: String, caption: &Caption, overlays: &[Overlay]) -> String {
    let id = attr(caption.id);
    let head = format!(
        " role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" class=\"chart-svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        attr(caption.title),
        attr(caption.description)
    );
    if let Some(open) = svg.find("<svg")
        && let Some(end) = svg[open..].find('>')
    {
        let at = open + end;
        svg.replace_range(at..=at, &head);
    }
    let mut links = String::new();
    for o in overlays {
        let (x, y, w, h) = o.area;
        links.push_str(&format!(
            "<a href=\"{}\" aria-label=\"{}\" class=\"chart-link\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"transparent\"><title>{}</title></rect></a>",
            attr(&o.href),
            attr(&o.tooltip),
            attr(&o.tooltip)
        ));
    }
    if let Some(close) = svg.rfind("</svg>") {
        svg.insert_str(close, &links);
    }
    svg
}

fn text_style(size: i32, colour: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&colour)
}

/// A round step for an axis up to `max` with about `ticks` gridlines.
fn nice_step(max: f64, ticks: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / ticks;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    step.max(f64::MIN_POSITIVE)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Horizontal bars, one per row, top to bottom; `axis` formats the scale.
pub fn bars(caption: &Caption, bars: &[Bar], axis: &dyn Fn(f64) -> String) -> String {
    let height = (bars.len() as i32 * ROW + 70).max(120);
    let mut svg = String::new();
    let mut overlays = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        let _ = draw_bars(&root, bars, axis, height, &mut overlays);
        let _ = root.present();
    }
    finish(svg, caption, &overlays)
}

fn draw_bars(
    root: &Area,
    bars: &[Bar],
    axis: &dyn Fn(f64) -> String,
    height: i32,
    overlays: &mut Vec<Overlay>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.fill(&WHITE)?;
    let left = LABEL_AREA;
    let right = WIDTH as i32 - 90;
    let top = 30;
    let max = bars
        .iter()
        .map(|b| match &b.value {
            BarValue::Classes(c) => c.total() as f64,
            BarValue::Plain(v, _) => *v,
            BarValue::Heading => 0.0,
        })
        .fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let scale_max = (max / step).ceil().max(1.0) * step;
    let x_of = |v: f64| left + ((v / scale_max) * f64::from(right - left)).round() as i32;
    let bottom = top + bars.len() as i32 * ROW;
    let mut tick = 0.0;
    while tick <= scale_max + step / 2.0 {
        let x = x_of(tick);
        root.draw(&PathElement::new(vec![(x, top - 4), (x, bottom)], GRID))?;
        root.draw(&Text::new(
            axis(tick),
            (x, bottom + 6),
            text_style(11, INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        tick += step;
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + i as i32 * ROW;
        let middle = y + ROW / 2;
        let label_style = match bar.value {
            BarValue::Heading => ("sans-serif", 13).into_font().style(FontStyle::Bold).color(&INK),
            _ => text_style(12, INK),
        };
        root.draw(&Text::new(
            clip(&bar.label, 28),
            (left - 8, middle),
            label_style.pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        let mut x = left;
        match &bar.value {
            BarValue::Heading => continue,
            BarValue::Classes(counts) => {
                let mut level = 0.0;
                for (class, colour, _) in CLASS_COLOURS {
                    let n = counts.of(class);
                    if n > 0 {
                        let start = x_of(level);
                        level += n as f64;
                        x = x_of(level).max(start + 1);
                        root.draw(&Rectangle::new([(start, y + 4), (x, y + ROW - 4)], colour.filled()))?;
                    }
                }
            }
            BarValue::Plain(v, class) => {
                let colour = class_colour(*class);
                let end = x_of(*v);
                if *v > 0.0 {
                    root.draw(&Rectangle::new(
                        [(x, y + 4), (end.max(x + 1), y + ROW - 4)],
                        colour.filled(),
                    ))?;
                }
                x = end;
            }
        }
        root.draw(&Text::new(
            bar.note.clone(),
            (x + 6, middle),
            text_style(11, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        if let Some(href) = &bar.href {
            overlays.push(Overlay {
                href: href.clone(),
                tooltip: bar.tooltip.clone(),
                area: (0, y, WIDTH as i32, ROW),
            });
        }
    }
    legend(root, (left, height - 24))?;
    Ok(())
}

fn legend(root: &Area, (x, y): (i32, i32)) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let mut x = x;
    for (class, colour, _) in CLASS_COLOURS {
        root.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], colour.filled()))?;
        let label = class.label();
        root.draw(&Text::new(
            label,
            (x + 16, y + 6),
            text_style(11, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += 24 + 7 * label.len() as i32;
    }
    Ok(())
}

/// Cuts a label to `max` characters with an ellipsis (the table beside
/// the chart has it in full).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// One column of the timeline.
pub struct Column {
    pub label: String,
    pub counts: ClassCounts,
    pub href: String,
    pub tooltip: String,
}

/// Vertical stacked columns left to right (the timeline), every
/// `label_every`th labelled.
pub fn columns(caption: &Caption, columns: &[Column]) -> String {
    let height = 300;
    let mut svg = String::new();
    let mut overlays = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        let _ = draw_columns(&root, columns, height, &mut overlays);
        let _ = root.present();
    }
    finish(svg, caption, &overlays)
}

fn draw_columns(
    root: &Area,
    columns: &[Column],
    height: i32,
    overlays: &mut Vec<Overlay>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.fill(&WHITE)?;
    let (left, right, top, bottom) = (60, WIDTH as i32 - 20, 20, height - 70);
    let max = columns.iter().map(|c| c.counts.total() as f64).fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let scale_max = (max / step).ceil().max(1.0) * step;
    let y_of = |v: f64| bottom - ((v / scale_max) * f64::from(bottom - top)).round() as i32;
    let mut tick = 0.0;
    while tick <= scale_max + step / 2.0 {
        let y = y_of(tick);
        root.draw(&PathElement::new(vec![(left, y), (right, y)], GRID))?;
        root.draw(&Text::new(
            crate::format::count(tick as i64),
            (left - 6, y),
            text_style(11, INK).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        tick += step;
    }
    let n = columns.len().max(1) as i32;
    let width = (right - left) / n;
    let label_every = (columns.len() / 8).max(1);
    for (i, column) in columns.iter().enumerate() {
        let x = left + i as i32 * width;
        let mut level = 0.0;
        for (class, colour, _) in CLASS_COLOURS {
            let v = column.counts.of(class) as f64;
            if v > 0.0 {
                let (y1, y0) = (y_of(level), y_of(level + v));
                root.draw(&Rectangle::new(
                    [(x + 1, y0), ((x + width - 1).max(x + 2), y1)],
                    colour.filled(),
                ))?;
                level += v;
            }
        }
        if i % label_every == 0 {
            root.draw(&Text::new(
                column.label.clone(),
                (x, bottom + 8),
                text_style(10, INK).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        overlays.push(Overlay {
            href: column.href.clone(),
            tooltip: column.tooltip.clone(),
            area: (x, top, width.max(2), bottom - top),
        });
    }
    legend(root, (left, height - 24))?;
    Ok(())
}

/// One series of a line chart.
pub struct Series {
    pub label: String,
    pub colour: RGBColor,
    /// One value per x position (a share, 0 to 1).
    pub values: Vec<f64>,
}

/// A horizontal line at a value, labelled.
pub struct Rule {
    pub value: f64,
    pub label: String,
    pub limit: bool,
}

/// One panel of the dashboard's rate chart: lines over the campaigns,
/// threshold rules drawn in, a link on each campaign's column.
pub struct Panel {
    pub heading: String,
    pub series: Vec<Series>,
    pub rules: Vec<Rule>,
}

/// Panels of lines stacked top to bottom, over the same x positions
/// (`points`, each with a label, a link and a tooltip).
pub fn lines(caption: &Caption, panels: &[Panel], points: &[(String, String, String)]) -> String {
    let panel_height = 220;
    let height = panel_height * panels.len().max(1) as i32 + 40;
    let mut svg = String::new();
    let mut overlays = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        let _ = root.fill(&WHITE);
        for (i, panel) in panels.iter().enumerate() {
            let top = i as i32 * panel_height;
            let _ = draw_panel(&root, panel, points, (top, top + panel_height), &mut overlays);
        }
        let _ = root.present();
    }
    finish(svg, caption, &overlays)
}

fn draw_panel(
    root: &Area,
    panel: &Panel,
    points: &[(String, String, String)],
    (top, end): (i32, i32),
    overlays: &mut Vec<Overlay>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let (left, right, top, bottom) = (60, WIDTH as i32 - 150, top + 30, end - 40);
    root.draw(&Text::new(
        panel.heading.clone(),
        (left, top - 22),
        ("sans-serif", 13).into_font().style(FontStyle::Bold).color(&INK),
    ))?;
    let max = panel
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(panel.rules.iter().map(|r| r.value))
        .fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let scale_max = (max / step).ceil().max(1.0) * step;
    let y_of = |v: f64| bottom - ((v / scale_max) * f64::from(bottom - top)).round() as i32;
    let n = points.len().max(1);
    let x_of = |i: usize| {
        if n == 1 {
            (left + right) / 2
        } else {
            left + (i as i32 * (right - left)) / (n as i32 - 1)
        }
    };
    let mut tick = 0.0;
    while tick <= scale_max + step / 2.0 {
        let y = y_of(tick);
        root.draw(&PathElement::new(vec![(left, y), (right, y)], GRID))?;
        root.draw(&Text::new(
            crate::format::percent(tick),
            (left - 6, y),
            text_style(10, INK).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        tick += step;
    }
    for rule in &panel.rules {
        let y = y_of(rule.value);
        let colour = if rule.limit { LIMIT } else { WARNING };
        root.draw(&PathElement::new(vec![(left, y), (right, y)], colour.stroke_width(2)))?;
        root.draw(&Text::new(
            rule.label.clone(),
            (right + 6, y),
            text_style(10, colour).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    for series in &panel.series {
        let path: Vec<(i32, i32)> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (x_of(i), y_of(*v)))
            .collect();
        root.draw(&PathElement::new(path.clone(), series.colour.stroke_width(2)))?;
        for point in path {
            root.draw(&Circle::new(point, 3, series.colour.filled()))?;
        }
    }
    let label_every = (points.len() / 6).max(1);
    for (i, (label, href, tooltip)) in points.iter().enumerate() {
        let x = x_of(i);
        if i % label_every == 0 {
            root.draw(&Text::new(
                clip(label, 16),
                (x, bottom + 8),
                text_style(10, INK).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        let half = ((right - left) / (2 * n as i32)).max(4);
        overlays.push(Overlay {
            href: href.clone(),
            tooltip: tooltip.clone(),
            area: (x - half, top, 2 * half, bottom - top),
        });
    }
    let mut y = top;
    for series in &panel.series {
        root.draw(&Rectangle::new(
            [(right + 6, y + 40), (right + 18, y + 52)],
            series.colour.filled(),
        ))?;
        root.draw(&Text::new(
            series.label.clone(),
            (right + 22, y + 46),
            text_style(10, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 18;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption() -> Caption<'static> {
        Caption {
            id: "chart-test",
            title: "Failures <by> category",
            description: "Most failures are \"bad mailbox\" & hard",
        }
    }

    #[test]
    fn bars_carry_title_description_and_escaped_links() {
        let bar = Bar {
            label: "<script>alert(1)</script>.example".into(),
            value: BarValue::Classes(ClassCounts {
                hard: 3,
                soft: 1,
                undetermined: 0,
            }),
            note: "4".into(),
            href: Some("/campaigns/1/errors?domain=a&failed=1".into()),
            tooltip: "x\" onload=\"alert(1)".into(),
        };

        let svg = bars(&caption(), &[bar], &|v| format!("{v}"));

        assert!(svg.contains("<title id=\"chart-test-title\">Failures &lt;by&gt; category</title>"));
        assert!(svg.contains("&quot;bad mailbox&quot; &amp; hard</desc>"));
        assert!(svg.contains("href=\"/campaigns/1/errors?domain=a&amp;failed=1\""));
        assert!(!svg.contains("<script>"), "remote text is escaped: {svg}");
        assert!(!svg.contains("\" onload=\""));
        assert!(svg.contains("#D55E00") || svg.contains("#d55e00") || svg.contains("rgb(213,94,0)"));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.0, 4.0), 1.0);
        assert_eq!(nice_step(97.0, 4.0), 50.0);
        assert_eq!(nice_step(12_000.0, 4.0), 5_000.0);
        assert!((nice_step(0.12, 4.0) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn long_labels_are_clipped() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
