//! A WASI 0.3 HTTP service (`wasi:http/handler@0.3.0`): `GET /Belgium` answers 200 with
//! `Hello, /Belgium`, as wasi_http_rust does over WASI 0.2. The body is a
//! component-model stream written by a spawned task.

use wasip3::http::types::{ErrorCode, Fields, Request, Response};
use wasip3::{wit_future, wit_stream};

struct Service;

impl wasip3::exports::http::handler::Guest for Service {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let text = greeting::greet(&request.get_path_with_query().unwrap_or_default(), false);
        let (mut body_tx, body_rx) = wit_stream::new();
        let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
        let (response, _sent) = Response::new(Fields::new(), Some(body_rx), trailers_rx);
        drop(trailers_tx);
        wit_bindgen::spawn_local(async move {
            let rest = body_tx.write_all(text.into_bytes()).await;
            assert!(rest.is_empty(), "the response body was closed early");
        });
        Ok(response)
    }
}

wasip3::http::service::export!(Service);
