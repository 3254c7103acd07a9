//! The value-model conformance guest: every WIT shape in and out, with its edges
//! (u64 max, s64 min, f32 0.1, NaN, a non-BMP char, kebab-case names...). Its
//! guest.toml states the canonical JSON of every call, the same on every host.

wit_bindgen::generate!({ world: "conformance", path: "wit" });

use exports::wasmtui::conformance::values::{Color, Guest, Labels, Permissions, Point, Shape};

struct Component;

impl Guest for Component {
    fn echo_bool(v: bool) -> bool {
        v
    }
    fn echo_s8(v: i8) -> i8 {
        v
    }
    fn echo_u8(v: u8) -> u8 {
        v
    }
    fn echo_s16(v: i16) -> i16 {
        v
    }
    fn echo_u16(v: u16) -> u16 {
        v
    }
    fn echo_s32(v: i32) -> i32 {
        v
    }
    fn echo_u32(v: u32) -> u32 {
        v
    }
    fn echo_s64(v: i64) -> i64 {
        v
    }
    fn echo_u64(v: u64) -> u64 {
        v
    }
    fn echo_f32(v: f32) -> f32 {
        v
    }
    fn echo_f64(v: f64) -> f64 {
        v
    }
    fn echo_char(v: char) -> char {
        v
    }
    fn echo_string(v: String) -> String {
        v
    }
    fn echo_bytes(v: Vec<u8>) -> Vec<u8> {
        v
    }
    fn echo_strings(v: Vec<String>) -> Vec<String> {
        v
    }
    fn echo_tuple(v: (u8, String, bool)) -> (u8, String, bool) {
        v
    }
    fn echo_point(v: Point) -> Point {
        v
    }
    fn echo_points(v: Vec<Point>) -> Vec<Point> {
        v
    }
    fn echo_labels(v: Labels) -> Labels {
        v
    }
    fn echo_shape(v: Shape) -> Shape {
        v
    }
    fn echo_color(v: Color) -> Color {
        v
    }
    fn echo_permissions(v: Permissions) -> Permissions {
        v
    }
    fn echo_option(v: Option<u32>) -> Option<u32> {
        v
    }
    fn echo_nested_option(v: Option<Option<u32>>) -> Option<Option<u32>> {
        v
    }
    fn echo_result(v: Result<u32, String>) -> Result<u32, String> {
        v
    }
    fn echo_unit_result(v: Result<(), String>) -> Result<(), String> {
        v
    }
    fn echo_option_result(v: Option<Result<(), String>>) -> Option<Result<(), String>> {
        v
    }
    fn u64_max() -> u64 {
        u64::MAX
    }
    fn s64_min() -> i64 {
        i64::MIN
    }
    fn s8_min() -> i8 {
        i8::MIN
    }
    fn f32_tenth() -> f32 {
        0.1
    }
    fn f64_nan() -> f64 {
        f64::NAN
    }
    fn f32_neg_inf() -> f32 {
        f32::NEG_INFINITY
    }
    fn non_bmp() -> char {
        '\u{1F389}'
    }
    fn multibyte() -> String {
        "h\u{e9}llo, \u{4e16}\u{754c} \u{1F389}".to_string()
    }
    fn all_permissions() -> Permissions {
        Permissions::IS_ADMIN | Permissions::CAN_READ | Permissions::CAN_WRITE
    }
    fn describe(s: Shape, c: Color, p: Permissions, n: u64) -> String {
        let shape = match s {
            Shape::Circle(r) => format!("circle({r})"),
            Shape::Named(name) => format!("named({name})"),
            Shape::EmptyCase => "empty-case".to_string(),
        };
        let color = match c {
            Color::LightRed => "light-red",
            Color::DarkBlue => "dark-blue",
            Color::Green => "green",
        };
        let mut flags = Vec::new();
        for (flag, name) in [
            (Permissions::CAN_READ, "can-read"),
            (Permissions::CAN_WRITE, "can-write"),
            (Permissions::IS_ADMIN, "is-admin"),
        ] {
            if p.contains(flag) {
                flags.push(name);
            }
        }
        format!("{shape} {color} [{}] {n}", flags.join(","))
    }
    fn swap(p: Point) -> Point {
        Point {
            x_coord: p.y_coord,
            y_coord: p.x_coord,
        }
    }
    fn unit() {}
    fn trap() -> u32 {
        panic!("the conformance guest traps on purpose")
    }
}

export!(Component);
