//! wave-json: the value model's canonical JSON (adapters/PROTOCOL.md, "Values") <->
//! WAVE, the text `wasmtime run --invoke` reads as arguments and prints as a result.
//! Typed by the type tree wasmtui sends, and written and parsed by the `wasm-wave`
//! crate, the one wasmtime itself uses: no WAVE codec of our own.
//!
//! One JSON request per stdin line, one JSON answer per stdout line:
//!   {"encode": TYPE, "value": JSON}   -> {"wave": "..."}
//!   {"decode": TYPE, "wave": "..."}   -> {"value": JSON}
//! and {"error": "..."} when the value does not fit the type.

use std::io::{BufRead, Write};

use serde_json::{json, Map, Number, Value as Json};
use wasm_wave::value::{Type, Value};
use wasm_wave::wasm::{WasmType, WasmTypeKind, WasmValue};

type Res<T> = Result<T, String>;

/// A type tree (values.py) as a wasm-wave Type.
fn wave_type(t: &Json) -> Res<Type> {
    if let Some(name) = t.as_str() {
        return Ok(match name {
            "bool" => Type::BOOL,
            "s8" => Type::S8,
            "s16" => Type::S16,
            "s32" => Type::S32,
            "s64" => Type::S64,
            "u8" => Type::U8,
            "u16" => Type::U16,
            "u32" => Type::U32,
            "u64" => Type::U64,
            "f32" => Type::F32,
            "f64" => Type::F64,
            "char" => Type::CHAR,
            "string" => Type::STRING,
            other => return Err(format!("unknown type {other}")),
        });
    }
    let obj = t
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or(format!("bad type {t}"))?;
    let (kind, body) = obj.iter().next().unwrap();
    let names = |v: &Json| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(String::from))
            .collect()
    };
    let pairs = |v: &Json| -> Res<Vec<(String, Option<Type>)>> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let name = p[0].as_str().ok_or("bad name")?.to_string();
                let ty = if p[1].is_null() {
                    None
                } else {
                    Some(wave_type(&p[1])?)
                };
                Ok((name, ty))
            })
            .collect()
    };
    let maybe = |v: &Json| -> Res<Option<Type>> {
        if v.is_null() {
            Ok(None)
        } else {
            wave_type(v).map(Some)
        }
    };
    let empty = || format!("empty {kind} type");
    match kind.as_str() {
        "list" => Ok(Type::list(wave_type(body)?)),
        "option" => Ok(Type::option(wave_type(body)?)),
        "result" => Ok(Type::result(maybe(&body["ok"])?, maybe(&body["err"])?)),
        "tuple" => {
            let elems = body.as_array().ok_or("bad tuple")?.iter().map(wave_type);
            Type::tuple(elems.collect::<Res<Vec<_>>>()?).ok_or_else(empty)
        }
        "record" => {
            let fields = pairs(body)?
                .into_iter()
                .map(|(n, t)| Ok((n, t.ok_or("field without type")?)));
            Type::record(fields.collect::<Res<Vec<_>>>()?).ok_or_else(empty)
        }
        "variant" => Type::variant(pairs(body)?).ok_or_else(empty),
        "enum" => Type::enum_ty(names(body)).ok_or_else(empty),
        "flags" => Type::flags(names(body)).ok_or_else(empty),
        _ => Err(format!("the value model cannot express {t}")),
    }
}

fn err<T>(what: &str, v: &Json) -> Res<T> {
    Err(format!("expected {what}, got {v}"))
}

fn float_of(v: &Json) -> Res<f64> {
    match v {
        Json::String(s) if s == "nan" => Ok(f64::NAN),
        Json::String(s) if s == "inf" => Ok(f64::INFINITY),
        Json::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        _ => v.as_f64().map_or_else(|| err("a number", v), Ok),
    }
}

/// Canonical JSON -> a WAVE value of type `ty`.
fn to_wave(ty: &Type, v: &Json) -> Res<Value> {
    let int = |v: &Json| v.as_i64().map_or_else(|| err("an integer", v), Ok);
    let uint = |v: &Json| v.as_u64().map_or_else(|| err("an integer", v), Ok);
    let range = |v: &Json| format!("{v} out of range");
    Ok(match ty.kind() {
        WasmTypeKind::Bool => Value::make_bool(v.as_bool().map_or_else(|| err("a bool", v), Ok)?),
        WasmTypeKind::S8 => Value::make_s8(int(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::S16 => Value::make_s16(int(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::S32 => Value::make_s32(int(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::S64 => Value::make_s64(int(v)?),
        WasmTypeKind::U8 => Value::make_u8(uint(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::U16 => Value::make_u16(uint(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::U32 => Value::make_u32(uint(v)?.try_into().map_err(|_| range(v))?),
        WasmTypeKind::U64 => Value::make_u64(uint(v)?),
        WasmTypeKind::F32 => Value::make_f32(float_of(v)? as f32),
        WasmTypeKind::F64 => Value::make_f64(float_of(v)?),
        WasmTypeKind::Char => {
            let s = v.as_str().unwrap_or_default();
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Value::make_char(c),
                _ => return err("one character", v),
            }
        }
        WasmTypeKind::String => {
            Value::make_string(v.as_str().map_or_else(|| err("a string", v), Ok)?.into())
        }
        WasmTypeKind::List => {
            let elem = ty.list_element_type().unwrap();
            let items = v.as_array().map_or_else(|| err("an array", v), Ok)?;
            let vals = items
                .iter()
                .map(|e| to_wave(&elem, e))
                .collect::<Res<Vec<_>>>()?;
            Value::make_list(ty, vals).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Tuple => {
            let items = v.as_array().map_or_else(|| err("an array", v), Ok)?;
            let vals = ty
                .tuple_element_types()
                .zip(items)
                .map(|(t, e)| to_wave(&t, e));
            Value::make_tuple(ty, vals.collect::<Res<Vec<_>>>()?).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Record => {
            let obj = v.as_object().map_or_else(|| err("an object", v), Ok)?;
            let mut fields = Vec::new();
            for (name, ft) in ty.record_fields() {
                let fv = obj
                    .get(name.as_ref())
                    .ok_or(format!("missing field {name}"))?;
                fields.push((name.to_string(), to_wave(&ft, fv)?));
            }
            Value::make_record(ty, fields.iter().map(|(n, v)| (n.as_str(), v.clone())))
                .map_err(|e| e.to_string())?
        }
        WasmTypeKind::Variant => {
            let (case, payload) = one_key(v)?;
            let ct = ty
                .variant_cases()
                .find(|(n, _)| n == case)
                .ok_or(format!("no case {case}"))?
                .1;
            let p = ct.map(|t| to_wave(&t, payload)).transpose()?;
            Value::make_variant(ty, case, p).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Enum => {
            Value::make_enum(ty, v.as_str().unwrap_or_default()).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Flags => {
            let names: Vec<&str> = v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            Value::make_flags(ty, names).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Option => {
            let some = ty.option_some_type().unwrap();
            let inner = if v.is_null() {
                None
            } else if nullable(&some) {
                Some(to_wave(
                    &some,
                    &one_key(v)
                        .and_then(|(k, p)| {
                            if k == "some" {
                                Ok(p)
                            } else {
                                err("{\"some\": ...}", v)
                            }
                        })?
                        .clone(),
                )?)
            } else {
                Some(to_wave(&some, v)?)
            };
            Value::make_option(ty, inner).map_err(|e| e.to_string())?
        }
        WasmTypeKind::Result => {
            let (ok_t, err_t) = ty.result_types().unwrap();
            let (case, payload) = one_key(v)?;
            let side = |t: Option<Type>| t.map(|t| to_wave(&t, payload)).transpose();
            let r = match case {
                "ok" => Ok(side(ok_t)?),
                "err" => Err(side(err_t)?),
                _ => return err("{\"ok\": ...} or {\"err\": ...}", v),
            };
            Value::make_result(ty, r).map_err(|e| e.to_string())?
        }
        other => return Err(format!("the value model cannot express {other}")),
    })
}

fn one_key(v: &Json) -> Res<(&str, &Json)> {
    match v.as_object() {
        Some(o) if o.len() == 1 => {
            let (k, p) = o.iter().next().unwrap();
            Ok((k.as_str(), p))
        }
        _ => err("a one-key object", v),
    }
}

/// An option<T> whose `some` must be written {"some": v} (values.py `nullable`).
fn nullable(t: &Type) -> bool {
    match t.kind() {
        WasmTypeKind::Option => true,
        WasmTypeKind::Result => {
            let (ok, e) = t.result_types().unwrap();
            ok.is_none() || e.is_none()
        }
        _ => false,
    }
}

fn float_json(x: f64, shortest: String) -> Json {
    if x.is_nan() {
        json!("nan")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        // The shortest decimal that round-trips through the float's own width.
        Json::Number(Number::from_f64(shortest.parse().unwrap()).unwrap())
    }
}

/// A WAVE value -> canonical JSON.
fn to_json(v: &Value, ty: &Type) -> Json {
    match ty.kind() {
        WasmTypeKind::Bool => json!(v.unwrap_bool()),
        WasmTypeKind::S8 => json!(v.unwrap_s8()),
        WasmTypeKind::S16 => json!(v.unwrap_s16()),
        WasmTypeKind::S32 => json!(v.unwrap_s32()),
        WasmTypeKind::S64 => json!(v.unwrap_s64()),
        WasmTypeKind::U8 => json!(v.unwrap_u8()),
        WasmTypeKind::U16 => json!(v.unwrap_u16()),
        WasmTypeKind::U32 => json!(v.unwrap_u32()),
        WasmTypeKind::U64 => json!(v.unwrap_u64()),
        WasmTypeKind::F32 => {
            let x = v.unwrap_f32();
            float_json(x as f64, format!("{x:e}"))
        }
        WasmTypeKind::F64 => {
            let x = v.unwrap_f64();
            float_json(x, format!("{x:e}"))
        }
        WasmTypeKind::Char => json!(v.unwrap_char().to_string()),
        WasmTypeKind::String => json!(v.unwrap_string()),
        WasmTypeKind::List => {
            let elem = ty.list_element_type().unwrap();
            Json::Array(v.unwrap_list().map(|e| to_json(&e, &elem)).collect())
        }
        WasmTypeKind::Tuple => Json::Array(
            v.unwrap_tuple()
                .zip(ty.tuple_element_types())
                .map(|(e, t)| to_json(&e, &t))
                .collect(),
        ),
        WasmTypeKind::Record => {
            let types: Vec<_> = ty.record_fields().map(|(_, t)| t).collect();
            let mut m = Map::new();
            for ((name, fv), ft) in v.unwrap_record().zip(types) {
                m.insert(name.to_string(), to_json(&fv, &ft));
            }
            Json::Object(m)
        }
        WasmTypeKind::Variant => {
            let (case, payload) = v.unwrap_variant();
            let ct = ty
                .variant_cases()
                .find(|(n, _)| *n == case)
                .and_then(|(_, t)| t);
            let p = match (payload, ct) {
                (Some(p), Some(t)) => to_json(&p, &t),
                _ => Json::Null,
            };
            json!({ case.to_string(): p })
        }
        WasmTypeKind::Enum => json!(v.unwrap_enum()),
        WasmTypeKind::Flags => {
            let set: Vec<String> = v.unwrap_flags().map(|f| f.to_string()).collect();
            Json::Array(
                ty.flags_names()
                    .filter(|n| set.iter().any(|s| s == n))
                    .map(|n| json!(n))
                    .collect(),
            )
        }
        WasmTypeKind::Option => {
            let some = ty.option_some_type().unwrap();
            match v.unwrap_option() {
                None => Json::Null,
                Some(p) if nullable(&some) => json!({ "some": to_json(&p, &some) }),
                Some(p) => to_json(&p, &some),
            }
        }
        WasmTypeKind::Result => {
            let (ok_t, err_t) = ty.result_types().unwrap();
            let side = |p: Option<std::borrow::Cow<'_, Value>>, t: Option<Type>| match (p, t) {
                (Some(p), Some(t)) => to_json(&p, &t),
                _ => Json::Null,
            };
            match v.unwrap_result() {
                Ok(p) => json!({ "ok": side(p, ok_t) }),
                Err(p) => json!({ "err": side(p, err_t) }),
            }
        }
        _ => Json::Null,
    }
}

fn answer(req: &Json) -> Res<Json> {
    if let Some(t) = req.get("encode") {
        let ty = wave_type(t)?;
        let val = to_wave(&ty, &req["value"])?;
        return Ok(json!({ "wave": wasm_wave::to_string(&val).map_err(|e| e.to_string())? }));
    }
    if let Some(t) = req.get("decode") {
        let ty = wave_type(t)?;
        let text = req["wave"]
            .as_str()
            .ok_or("decode needs a \"wave\" string")?;
        let val: Value = wasm_wave::from_str(&ty, text).map_err(|e| format!("{e} in {text:?}"))?;
        return Ok(json!({ "value": to_json(&val, &ty) }));
    }
    Err("a request is {\"encode\": TYPE, \"value\": V} or {\"decode\": TYPE, \"wave\": S}".into())
}

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let reply = serde_json::from_str::<Json>(&line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|req| answer(&req))
            .unwrap_or_else(|e| json!({ "error": e }));
        if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
}
