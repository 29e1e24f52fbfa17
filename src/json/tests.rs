use super::*;

#[test]
fn map_keeps_order_and_replaces_in_place() {
    let mut m = Map::new();
    for k in ["b", "a", "c"] {
        assert_eq!(m.insert(k.into(), Value::from(k)), None);
    }
    assert_eq!(m.insert("a".into(), 1.into()), Some(Value::from("a")));
    assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
    assert_eq!(m["a"], 1);
    // swap_remove semantics, as serde_json with preserve_order
    assert_eq!(m.remove("b"), Some(Value::from("b")));
    assert_eq!(m.keys().collect::<Vec<_>>(), ["c", "a"]);
    assert_eq!(m.shift_remove("c"), Some(Value::from("c")));
    assert_eq!(m.keys().collect::<Vec<_>>(), ["a"]);
}

#[test]
fn large_map_matches_serde_json_through_inserts_and_removes() {
    let mut ours = Map::new();
    let mut theirs = serde_json::Map::new();
    let mut seed = 7u64;
    for step in 0..5000u64 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let key = format!("k{}", (seed >> 33) % 300);
        match step % 5 {
            0..=2 => {
                let a = ours.insert(key.clone(), step.into());
                let b = theirs.insert(key, step.into());
                assert_eq!(a, b.map(Value::from));
            }
            3 => assert_eq!(ours.remove(&key), theirs.remove(&key).map(Value::from)),
            _ => assert_eq!(
                ours.get(&key).cloned(),
                theirs.get(&key).cloned().map(Value::from)
            ),
        }
        if step % 97 == 0 {
            let a: Vec<_> = ours.keys().cloned().collect();
            let b: Vec<_> = theirs.keys().cloned().collect();
            assert_eq!(a, b);
        }
    }
    ours.retain(|k, _| k.ends_with('1'));
    theirs.retain(|k, _| k.ends_with('1'));
    assert_eq!(
        Value::Object(ours.clone()).to_string(),
        serde_json::Value::Object(theirs.clone()).to_string()
    );
    for k in theirs.keys() {
        assert!(ours.contains_key(k));
    }
    assert!(!ours.contains_key("k2"));
}

#[test]
fn parse_100k_keys_and_look_each_up() {
    let n = 100_000;
    let mut text = String::from("{");
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"key{}\":{}", (i * 7919) % n, i));
    }
    // a repeated key keeps its first position and takes the last value
    text.push_str(",\"key0\":-1}");
    let v = parse(&text).unwrap();
    let m = v.as_object().unwrap();
    assert_eq!(m.len(), n);
    assert_eq!(m.keys().next().map(String::as_str), Some("key0"));
    assert_eq!(m["key0"], -1);
    for i in 1..n {
        let k = format!("key{}", (i * 7919) % n);
        assert_eq!(m.get(&k).and_then(Value::as_u64), Some(i as u64), "{k}");
    }
    assert!(m.get("key100000").is_none());
}

#[test]
fn duplicate_keys_like_serde_json() {
    let mut text = String::from("{");
    for i in 0..40 {
        text.push_str(&format!("\"k{}\":{},", i % 15, i));
    }
    text.push_str("\"z\":true}");
    let ours = parse(&text).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours.to_string(), theirs.to_string());
    let via_serde: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(via_serde.to_string(), theirs.to_string());
}

#[test]
fn numbers_like_serde_json() {
    for f in [
        // two shortest digit strings (…516.2 and …516.3): serde_json's is the one (fuzz find)
        f64::from_bits(4835237498728153777),
        0.0,
        -0.0,
        1.0,
        0.1,
        1e20,
        1e15,
        1e16,
        1.5e-7,
        123.456,
        f64::MAX,
        f64::MIN_POSITIVE,
        -2.5e-5,
    ] {
        let ours = Number::from_f64(f).unwrap();
        let theirs = serde_json::Number::from_f64(f).unwrap();
        assert_eq!(ours.to_string(), theirs.to_string(), "{f:e}");
    }
    assert!(Number::from_f64(f64::NAN).is_none());
    assert_eq!(Value::from(f64::INFINITY), Value::Null);
    assert_eq!(Value::from(u64::MAX).as_i64(), None);
    assert_eq!(Value::from(-3).as_u64(), None);
    assert_eq!(Value::from(-3).as_f64(), Some(-3.0));
    assert_ne!(Value::from(1), Value::from(1.0));
    assert_eq!(Value::from(-3), -3);
    assert_eq!(Value::from(5u8), 5u64);
}

#[test]
fn index_get_pointer_and_take() {
    let mut v = crate::json!({"a": {"b/c": [10, {"~d": true}]}, "s": "x"});
    assert_eq!(v.pointer("/a/b~1c/1/~0d"), Some(&Value::Bool(true)));
    assert_eq!(v.pointer("/a/b~1c/01"), None);
    assert_eq!(v.pointer(""), Some(&v.clone()));
    assert_eq!(v["a"]["b/c"][0], 10);
    assert!(v["a"]["zz"][3].is_null());
    assert_eq!(v.get("s").and_then(Value::as_str), Some("x"));
    assert_eq!(v["s"].get(0), None);
    if let Some(x) = v.pointer_mut("/a/b~1c/0") {
        *x = 11.into();
    }
    assert_eq!(
        v.pointer_mut("/a/b~1c/0").map(Value::take),
        Some(Value::from(11))
    );
    assert_eq!(v["a"]["b/c"][0], Value::Null);
    v["n"] = 3.into();
    assert_eq!(v["n"], 3);
}

#[test]
fn serde_round_trips_and_interop() {
    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum E {
        A,
        B(u32),
    }
    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    struct T {
        x: Option<u8>,
        y: Vec<String>,
        z: Value,
        e: E,
        f: E,
        #[serde(default)]
        w: f64,
    }
    let v = crate::json!({"x": 3, "y": ["a"], "z": {"q": [1.5, null]}, "e": "a", "f": {"b": 7}});
    let t: T = from_value(v.clone()).unwrap();
    assert_eq!(
        t,
        T {
            x: Some(3),
            y: vec!["a".into()],
            z: crate::json!({"q": [1.5, null]}),
            e: E::A,
            f: E::B(7),
            w: 0.0
        }
    );
    let back = to_value(&t).unwrap();
    assert_eq!(back["z"], v["z"]);
    assert_eq!(serde_json::to_string(&v).unwrap(), v.to_string());
    let err = from_value::<T>(crate::json!({"x": -1}))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        serde_json::from_value::<T>(serde_json::json!({"x": -1}))
            .unwrap_err()
            .to_string()
    );
    let theirs: serde_json::Value = v.clone().into();
    assert_eq!(Value::from(theirs.clone()), v);
    assert_eq!(theirs.to_string(), v.to_string());
}
