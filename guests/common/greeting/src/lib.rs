//! The seed's greeting: `Hello, {name}`, entirely uppercased when `up`.
//! Plain Rust with no bindings, so every guest (whatever its world) answers alike.

/// Returns `Hello, {name}`, uppercased when `up` is true.
pub fn greet(name: &str, up: bool) -> String {
    let text = format!("Hello, {name}");
    if up {
        text.to_uppercase()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::greet;

    #[test]
    fn greets() {
        assert_eq!(greet("Pierre", false), "Hello, Pierre");
        assert_eq!(greet("Pierre", true), "HELLO, PIERRE");
    }
}

/// The incoming-handler answer: 200 with the greeting of the request's path and query,
/// so `GET /Belgium` answers `Hello, /Belgium`.
#[cfg(feature = "http")]
pub fn handle_http(
    request: wasi::http::types::IncomingRequest,
    response_out: wasi::http::types::ResponseOutparam,
) {
    let text = greet(&request.path_with_query().unwrap_or_default(), false);
    respond(response_out, &text);
}

/// Answers 200 with `text` as the whole body: what every incoming-handler guest here does.
#[cfg(feature = "http")]
pub fn respond(response_out: wasi::http::types::ResponseOutparam, text: &str) {
    use wasi::http::types::{Fields, OutgoingBody, OutgoingResponse, ResponseOutparam};

    let response = OutgoingResponse::new(Fields::new());
    response.set_status_code(200).expect("valid status");
    let body = response.body().expect("body taken once");
    ResponseOutparam::set(response_out, Ok(response));
    let stream = body.write().expect("stream taken once");
    stream
        .blocking_write_and_flush(text.as_bytes())
        .expect("write body");
    drop(stream);
    OutgoingBody::finish(body, None).expect("finish body");
}
