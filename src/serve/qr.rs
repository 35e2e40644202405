//! The QR code of the trainees' address: as text for the terminal (two
//! rows of modules per line, light modules drawn so that it reads on a dark
//! terminal) and as inline SVG for the trainer page.

use qrcode::render::unicode::Dense1x2;
use qrcode::{Color, QrCode};

/// The code as terminal text, or `None` when the text is too long for a QR
/// code.
pub fn terminal(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// The code as a self-contained SVG element (one path; dark on white, with
/// a quiet zone of four modules), or an empty string when it cannot be made.
pub fn svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let w = code.width();
    let size = w + 8;
    let mut d = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            d.push_str(&format!("M{} {}h1v1h-1z", i % w + 4, i / w + 4));
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of the trainees' address\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{d}\" fill=\"#000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_for_an_address() {
        let t = terminal("http://127.0.0.1:8080/").unwrap_or_default();
        assert!(t.lines().count() >= 12, "{t}");
        let s = svg("http://127.0.0.1:8080/");
        assert!(s.starts_with("<svg") && s.contains("<path d=\"M"), "{s}");
    }
}
