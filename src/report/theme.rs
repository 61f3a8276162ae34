//! One look for every chart: the bundled font, the colour-blind-safe palette, sizes.
//!
//! Colours are Okabe & Ito's palette ("Color Universal Design", 2008), which readers
//! with any common colour-vision deficiency can tell apart. Signatories are always
//! blue and non-signatories always vermillion, in every chart and in the report.

use std::sync::OnceLock;

use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

/// The family name the bundled font is registered under (and that SVG text names).
pub const FONT: &str = "DejaVu Sans";
/// What SVG viewers fall back to when the bundled font is not embedded: faces with
/// DejaVu's metrics first (DejaVu derives from Bitstream Vera), then the closest.
pub const SVG_FONT_STACK: &str = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif";

/// DejaVu Sans (Bitstream Vera license; see `assets/fonts/LICENSE-DejaVu.txt`).
pub static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The em of the bundled font per unit of plotters' font size: ab_glyph scales a font
/// so that its ascent-to-descent height (2384 of DejaVu Sans' 2048 units per em) is
/// the size.
pub const EM_PER_SIZE: f64 = 2048.0 / 2384.0;
/// DejaVu Sans' capital height, per em.
pub const CAP_PER_EM: f64 = 1493.0 / 2048.0;

/// Registers the bundled font with plotters, once per process. Charts never look
/// for system fonts, so they render the same on a machine with none installed.
pub fn register_fonts() -> Result<(), String> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_REGULAR).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, FONT_BOLD).is_ok()
    });
    if ok { Ok(()) } else { Err("the bundled DejaVu Sans font could not be loaded".into()) }
}

/// Okabe-Ito blue: signatories.
pub const SIGNATORIES: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito vermillion: non-signatories.
pub const NON_SIGNATORIES: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Figures of all runs or all actors, not split by group.
pub const NEUTRAL: RGBColor = RGBColor(0x59, 0x59, 0x59);
/// Okabe-Ito bluish green: correct attributions.
pub const CORRECT: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe-Ito reddish purple: wrong attributions.
pub const WRONG: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Okabe-Ito orange: detected, not (yet) attributed.
pub const PENDING: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Light grey: undetected.
pub const FAINT: RGBColor = RGBColor(0xB8, 0xB8, 0xB8);

/// Colours of compared variants, baseline first: the neutral grey of all-runs figures,
/// then the Okabe-Ito colours that no group owns (blue and vermillion keep meaning
/// signatories and non-signatories). Beyond six variants the colours repeat.
pub const VARIANTS: [RGBColor; 6] =
    [NEUTRAL, PENDING, CORRECT, WRONG, RGBColor(0x56, 0xB4, 0xE9), RGBColor(0xF0, 0xE4, 0x42)];

/// The colour of the `i`-th compared variant (0 = the baseline).
pub fn variant(i: usize) -> RGBColor {
    VARIANTS[i % VARIANTS.len()]
}

pub const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// A darker shade of `c` for text in that colour: readable at small sizes on white.
pub fn ink_of(c: RGBColor) -> RGBColor {
    let d = |v: u8| (f64::from(v) * 0.78).round() as u8;
    RGBColor(d(c.0), d(c.1), d(c.2))
}

/// The two groups every chart compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Signatories,
    NonSignatories,
}

impl Group {
    pub const BOTH: [Group; 2] = [Group::Signatories, Group::NonSignatories];

    pub fn colour(self) -> RGBColor {
        match self {
            Group::Signatories => SIGNATORIES,
            Group::NonSignatories => NON_SIGNATORIES,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Group::Signatories => "signatories",
            Group::NonSignatories => "non-signatories",
        }
    }

    /// The group's name in `turns.*`.
    pub fn key(self) -> &'static str {
        match self {
            Group::Signatories => super::data::group::SIGNATORIES,
            Group::NonSignatories => super::data::group::NON_SIGNATORIES,
        }
    }

    pub fn of(signatory: bool) -> Group {
        if signatory { Group::Signatories } else { Group::NonSignatories }
    }
}

/// Sizes in logical pixels, multiplied by `scale` for the bitmap (PNG is drawn at 2×
/// so it stays sharp on high-density screens and in print).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub scale: f64,
}

impl Theme {
    pub const SVG: Theme = Theme { scale: 1.0 };
    pub const PNG: Theme = Theme { scale: 2.0 };

    /// A length in device pixels.
    pub fn px(&self, logical: f64) -> i32 {
        (logical * self.scale).round() as i32
    }

    pub fn pxu(&self, logical: f64) -> u32 {
        self.px(logical).max(0) as u32
    }

    /// Body text of `size` logical pixels in `colour`.
    pub fn text(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(FONT), size * self.scale, FontStyle::Normal).color(&colour)
    }

    pub fn bold(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        FontDesc::new(FontFamily::Name(FONT), size * self.scale, FontStyle::Bold).color(&colour)
    }

    pub fn title(&self) -> TextStyle<'static> {
        self.bold(19.0, INK)
    }
    pub fn subtitle(&self) -> TextStyle<'static> {
        self.text(13.0, MUTED)
    }
    pub fn tick(&self) -> TextStyle<'static> {
        self.text(12.5, MUTED)
    }
    pub fn label(&self) -> TextStyle<'static> {
        self.text(13.5, INK)
    }
    pub fn axis_title(&self) -> TextStyle<'static> {
        self.text(13.0, INK)
    }
    pub fn value(&self) -> TextStyle<'static> {
        self.text(12.0, INK)
    }
}
