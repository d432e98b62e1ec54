//! The structure of a Compose file, as a compact table derived from the Compose specification's
//! JSON schema (`compose-spec/compose-spec`, `schema/compose-spec.json`), and the validator that
//! reports what `docker compose config` would reject: unknown keys, values of the wrong type,
//! values outside an enumeration, missing required keys.
//!
//! Deliberate differences from the JSON schema, all on the lenient side:
//! - `x-*` keys are accepted in every mapping with fixed keys (the schema allows them almost
//!   everywhere; `blkio_config` and a few others forget it);
//! - a string is accepted where only a number or a boolean is allowed when it reads as one
//!   (Compose casts such strings while interpolating);
//! - the obsolete top-level `version` may be a number (`version: 3`), which Compose ignores;
//! - `uniqueItems`, `minimum`/`maximum` and `pattern` are not checked.
//!
//! A plain scalar that interpolation changed takes the YAML type of its new text when the
//! schema allows that type (`replicas: ${N}` with `N=3` becomes the number 3), as Compose's
//! interpolation casts do; a value that is unknown (a variable without value) is accepted
//! wherever a scalar is.

use crate::compose::interpolate::{Retype, UNKNOWN};
use crate::yaml::{Node, NodeValue, PathSeg};

const STR: u8 = 1;
const INT: u8 = 2;
const NUM: u8 = 4;
const BOOL: u8 = 8;
const NULL: u8 = 16;

/// A schema node.
#[derive(Clone, Copy, Debug)]
pub enum S {
    /// Anything.
    Any,
    /// A scalar of one of the flagged types (`NUM` includes integers).
    T(u8),
    /// A string among these.
    Enum(&'static [&'static str]),
    Seq(&'static S),
    Obj(&'static Object),
    /// A mapping with any keys, every value of this shape.
    Dict(&'static S),
    /// The first alternative whose kind (scalar, sequence, mapping) fits is used.
    OneOf(&'static [S]),
}

/// A mapping with fixed keys.
#[derive(Debug)]
pub struct Object {
    pub props: &'static [(&'static str, S)],
    pub required: &'static [&'static str],
    /// Unknown keys (other than `x-*`) are errors.
    pub closed: bool,
}

const fn obj(props: &'static [(&'static str, S)]) -> Object {
    Object {
        props,
        required: &[],
        closed: true,
    }
}

const fn obj_req(props: &'static [(&'static str, S)], required: &'static [&'static str]) -> Object {
    Object {
        props,
        required,
        closed: true,
    }
}

const S_STR: S = S::T(STR);
const S_BOOL: S = S::T(BOOL);
const S_NUM: S = S::T(NUM);
const S_INT: S = S::T(INT);
const STR_INT: S = S::T(STR | INT);
const STR_NUM: S = S::T(STR | NUM);
const STR_BOOL: S = S::T(STR | BOOL);
const LIST_OF_STRINGS: S = S::Seq(&S_STR);
const STRING_OR_LIST: S = S::OneOf(&[S_STR, LIST_OF_STRINGS]);
const LIST_OR_DICT: S = S::OneOf(&[S::Dict(&S::T(STR | NUM | BOOL | NULL)), LIST_OF_STRINGS]);
const COMMAND: S = S::OneOf(&[S::T(NULL | STR), LIST_OF_STRINGS]);
const EXTRA_HOSTS: S = S::OneOf(&[S::Dict(&STRING_OR_LIST), LIST_OF_STRINGS]);
const DRIVER_OPTS: S = S::Dict(&S::T(STR | NUM));
const EXTERNAL: S = S::OneOf(&[S::T(BOOL | STR), S::Obj(&obj(&[("name", S_STR)]))]);

const SERVICE_CONFIG_OR_SECRET: S = S::Seq(&S::OneOf(&[
    S_STR,
    S::Obj(&obj(&[
        ("source", S_STR),
        ("target", S_STR),
        ("uid", S_STR),
        ("gid", S_STR),
        ("mode", STR_NUM),
    ])),
]));

const ULIMITS: S = S::Dict(&S::OneOf(&[
    STR_INT,
    S::Obj(&obj_req(
        &[("hard", STR_INT), ("soft", STR_INT)],
        &["soft", "hard"],
    )),
]));

const SERVICE_HOOK: S = S::Obj(&obj_req(
    &[
        ("command", COMMAND),
        ("user", S_STR),
        ("privileged", STR_BOOL),
        ("working_dir", S_STR),
        ("environment", LIST_OR_DICT),
    ],
    &["command"],
));

const PRE_START_HOOK: S = S::Obj(&obj(&[
    ("command", COMMAND),
    ("image", S_STR),
    ("user", S_STR),
    ("privileged", STR_BOOL),
    ("working_dir", S_STR),
    ("environment", LIST_OR_DICT),
    ("per_replica", STR_BOOL),
]));

const BLKIO_LIMIT: S = S::Seq(&S::Obj(&obj(&[("path", S_STR), ("rate", STR_INT)])));
const BLKIO_WEIGHT: S = S::Seq(&S::Obj(&obj(&[("path", S_STR), ("weight", STR_INT)])));

const DEVICE_REQUESTS: S = S::Seq(&S::Obj(&obj_req(
    &[
        ("capabilities", LIST_OF_STRINGS),
        ("count", STR_INT),
        ("device_ids", LIST_OF_STRINGS),
        ("driver", S_STR),
        ("options", LIST_OR_DICT),
    ],
    &["capabilities"],
)));

const GPUS: S = S::OneOf(&[
    S::Enum(&["all"]),
    S::Seq(&S::Obj(&Object {
        props: &[
            ("capabilities", LIST_OF_STRINGS),
            ("count", STR_INT),
            ("device_ids", LIST_OF_STRINGS),
            ("driver", S_STR),
            ("options", LIST_OR_DICT),
        ],
        required: &[],
        closed: false,
    })),
]);

const UPDATE_CONFIG: S = S::Obj(&obj(&[
    ("parallelism", STR_INT),
    ("delay", S_STR),
    ("failure_action", S_STR),
    ("monitor", S_STR),
    ("max_failure_ratio", STR_NUM),
    ("order", S::Enum(&["start-first", "stop-first"])),
]));

const DEPLOYMENT: S = S::OneOf(&[
    S::T(NULL),
    S::Obj(&obj(&[
        ("mode", S_STR),
        ("endpoint_mode", S_STR),
        ("replicas", STR_INT),
        ("labels", LIST_OR_DICT),
        ("rollback_config", UPDATE_CONFIG),
        ("update_config", UPDATE_CONFIG),
        (
            "resources",
            S::Obj(&obj(&[
                (
                    "limits",
                    S::Obj(&obj(&[
                        ("cpus", STR_NUM),
                        ("memory", S_STR),
                        ("pids", STR_INT),
                    ])),
                ),
                (
                    "reservations",
                    S::Obj(&obj(&[
                        ("cpus", STR_NUM),
                        ("memory", S_STR),
                        (
                            "generic_resources",
                            S::Seq(&S::Obj(&obj(&[(
                                "discrete_resource_spec",
                                S::Obj(&obj(&[("kind", S_STR), ("value", STR_NUM)])),
                            )]))),
                        ),
                        ("devices", DEVICE_REQUESTS),
                    ])),
                ),
            ])),
        ),
        (
            "restart_policy",
            S::Obj(&obj(&[
                ("condition", S_STR),
                ("delay", S_STR),
                ("max_attempts", STR_INT),
                ("window", S_STR),
            ])),
        ),
        (
            "placement",
            S::Obj(&obj(&[
                ("constraints", LIST_OF_STRINGS),
                ("preferences", S::Seq(&S::Obj(&obj(&[("spread", S_STR)])))),
                ("max_replicas_per_node", STR_INT),
            ])),
        ),
    ])),
]);

const DEVELOPMENT: S = S::OneOf(&[
    S::T(NULL),
    S::Obj(&obj(&[(
        "watch",
        S::Seq(&S::Obj(&obj_req(
            &[
                ("ignore", STRING_OR_LIST),
                ("include", STRING_OR_LIST),
                ("path", S_STR),
                (
                    "action",
                    S::Enum(&["rebuild", "sync", "restart", "sync+restart", "sync+exec"]),
                ),
                ("target", S_STR),
                ("exec", SERVICE_HOOK),
                ("initial_sync", S_BOOL),
            ],
            &["path", "action"],
        ))),
    )])),
]);

const BUILD: S = S::OneOf(&[
    S_STR,
    S::Obj(&obj(&[
        ("context", S_STR),
        ("dockerfile", S_STR),
        ("dockerfile_inline", S_STR),
        ("entitlements", LIST_OF_STRINGS),
        ("args", LIST_OR_DICT),
        ("ssh", LIST_OR_DICT),
        ("labels", LIST_OR_DICT),
        ("cache_from", LIST_OF_STRINGS),
        ("cache_to", LIST_OF_STRINGS),
        ("no_cache", STR_BOOL),
        ("no_cache_filter", STRING_OR_LIST),
        ("provenance", STR_BOOL),
        ("sbom", STR_BOOL),
        ("additional_contexts", LIST_OR_DICT),
        ("network", S_STR),
        ("pull", STR_BOOL),
        ("target", S_STR),
        ("shm_size", STR_INT),
        ("extra_hosts", EXTRA_HOSTS),
        ("isolation", S_STR),
        ("privileged", STR_BOOL),
        ("secrets", SERVICE_CONFIG_OR_SECRET),
        ("tags", LIST_OF_STRINGS),
        ("ulimits", ULIMITS),
        ("platforms", LIST_OF_STRINGS),
    ])),
]);

const HEALTHCHECK: S = S::Obj(&obj(&[
    ("disable", STR_BOOL),
    ("interval", S_STR),
    ("retries", STR_NUM),
    ("test", STRING_OR_LIST),
    ("timeout", S_STR),
    ("start_period", S_STR),
    ("start_interval", S_STR),
]));

const SERVICE_NETWORKS: S = S::OneOf(&[
    LIST_OF_STRINGS,
    S::Dict(&S::OneOf(&[
        S::Obj(&obj(&[
            ("aliases", LIST_OF_STRINGS),
            ("interface_name", S_STR),
            ("ipv4_address", S_STR),
            ("ipv6_address", S_STR),
            ("link_local_ips", LIST_OF_STRINGS),
            ("mac_address", S_STR),
            ("driver_opts", DRIVER_OPTS),
            ("priority", S_NUM),
            ("gw_priority", S_NUM),
        ])),
        S::T(NULL),
    ])),
]);

const SERVICE_PORTS: S = S::Seq(&S::OneOf(&[
    S::T(NUM),
    S_STR,
    S::Obj(&obj(&[
        ("name", S_STR),
        ("mode", S_STR),
        ("host_ip", S_STR),
        ("target", STR_INT),
        ("published", STR_INT),
        ("protocol", S_STR),
        ("app_protocol", S_STR),
    ])),
]));

const SERVICE_VOLUMES: S = S::Seq(&S::OneOf(&[
    S_STR,
    S::Obj(&obj_req(
        &[
            (
                "type",
                S::Enum(&["bind", "volume", "tmpfs", "cluster", "npipe", "image"]),
            ),
            ("source", S_STR),
            ("target", S_STR),
            ("read_only", STR_BOOL),
            ("consistency", S_STR),
            (
                "bind",
                S::Obj(&obj(&[
                    ("propagation", S_STR),
                    ("create_host_path", STR_BOOL),
                    (
                        "recursive",
                        S::Enum(&["enabled", "disabled", "writable", "readonly"]),
                    ),
                    ("selinux", S::Enum(&["z", "Z"])),
                ])),
            ),
            (
                "volume",
                S::Obj(&obj(&[
                    ("labels", LIST_OR_DICT),
                    ("nocopy", STR_BOOL),
                    ("subpath", S_STR),
                ])),
            ),
            (
                "tmpfs",
                S::Obj(&obj(&[("size", STR_INT), ("mode", STR_NUM)])),
            ),
            ("image", S::Obj(&obj(&[("subpath", S_STR)]))),
        ],
        &["type"],
    )),
]));

/// Every key of a service (`definitions.service`).
pub static SERVICE: Object = obj(&[
    ("develop", DEVELOPMENT),
    ("deploy", DEPLOYMENT),
    ("annotations", LIST_OR_DICT),
    ("attach", STR_BOOL),
    ("build", BUILD),
    (
        "blkio_config",
        S::Obj(&obj(&[
            ("device_read_bps", BLKIO_LIMIT),
            ("device_read_iops", BLKIO_LIMIT),
            ("device_write_bps", BLKIO_LIMIT),
            ("device_write_iops", BLKIO_LIMIT),
            ("weight", STR_INT),
            ("weight_device", BLKIO_WEIGHT),
        ])),
    ),
    ("cap_add", LIST_OF_STRINGS),
    ("cap_drop", LIST_OF_STRINGS),
    ("cgroup", S::Enum(&["host", "private"])),
    ("cgroup_parent", S_STR),
    ("command", COMMAND),
    ("configs", SERVICE_CONFIG_OR_SECRET),
    ("container_name", S_STR),
    ("cpu_count", STR_INT),
    ("cpu_percent", STR_INT),
    ("cpu_shares", STR_NUM),
    ("cpu_quota", STR_NUM),
    ("cpu_period", STR_NUM),
    ("cpu_rt_period", STR_NUM),
    ("cpu_rt_runtime", STR_NUM),
    ("cpus", STR_NUM),
    ("cpuset", S_STR),
    (
        "credential_spec",
        S::Obj(&obj(&[
            ("config", S_STR),
            ("file", S_STR),
            ("registry", S_STR),
        ])),
    ),
    (
        "depends_on",
        S::OneOf(&[
            LIST_OF_STRINGS,
            S::Dict(&S::Obj(&obj_req(
                &[
                    ("restart", STR_BOOL),
                    ("required", S_BOOL),
                    (
                        "condition",
                        S::Enum(&[
                            "service_started",
                            "service_healthy",
                            "service_completed_successfully",
                        ]),
                    ),
                ],
                &["condition"],
            ))),
        ]),
    ),
    ("device_cgroup_rules", LIST_OF_STRINGS),
    (
        "devices",
        S::Seq(&S::OneOf(&[
            S_STR,
            S::Obj(&obj_req(
                &[("source", S_STR), ("target", S_STR), ("permissions", S_STR)],
                &["source"],
            )),
        ])),
    ),
    ("dns", STRING_OR_LIST),
    ("dns_opt", LIST_OF_STRINGS),
    ("dns_search", STRING_OR_LIST),
    ("domainname", S_STR),
    ("entrypoint", COMMAND),
    (
        "env_file",
        S::OneOf(&[
            S_STR,
            S::Seq(&S::OneOf(&[
                S_STR,
                S::Obj(&obj_req(
                    &[("path", S_STR), ("format", S_STR), ("required", STR_BOOL)],
                    &["path"],
                )),
            ])),
        ]),
    ),
    ("label_file", STRING_OR_LIST),
    ("environment", LIST_OR_DICT),
    ("expose", S::Seq(&S::T(STR | NUM))),
    (
        "extends",
        S::OneOf(&[
            S_STR,
            S::Obj(&obj_req(
                &[("service", S_STR), ("file", S_STR)],
                &["service"],
            )),
        ]),
    ),
    (
        "provider",
        S::Obj(&obj_req(
            &[
                ("type", S_STR),
                (
                    "options",
                    S::Dict(&S::OneOf(&[
                        S::T(STR | NUM | BOOL),
                        S::Seq(&S::T(STR | NUM | BOOL)),
                    ])),
                ),
            ],
            &["type"],
        )),
    ),
    ("external_links", LIST_OF_STRINGS),
    ("extra_hosts", EXTRA_HOSTS),
    ("gpus", GPUS),
    ("group_add", S::Seq(&S::T(STR | NUM))),
    ("healthcheck", HEALTHCHECK),
    ("hostname", S_STR),
    ("image", S_STR),
    ("init", STR_BOOL),
    ("ipc", S_STR),
    ("isolation", S_STR),
    ("labels", LIST_OR_DICT),
    ("links", LIST_OF_STRINGS),
    (
        "logging",
        S::Obj(&obj(&[
            ("driver", S_STR),
            ("options", S::Dict(&S::T(STR | NUM | NULL))),
        ])),
    ),
    ("mac_address", S_STR),
    ("mem_limit", STR_NUM),
    ("mem_reservation", STR_INT),
    ("mem_swappiness", STR_INT),
    ("memswap_limit", STR_NUM),
    ("network_mode", S_STR),
    (
        "models",
        S::OneOf(&[
            LIST_OF_STRINGS,
            S::Dict(&S::OneOf(&[
                S::T(NULL),
                S::Obj(&obj(&[("endpoint_var", S_STR), ("model_var", S_STR)])),
            ])),
        ]),
    ),
    ("networks", SERVICE_NETWORKS),
    ("oom_kill_disable", STR_BOOL),
    ("oom_score_adj", STR_INT),
    ("pid", S::T(STR | NULL)),
    ("pids_limit", STR_NUM),
    ("platform", S_STR),
    ("ports", SERVICE_PORTS),
    ("post_start", S::Seq(&SERVICE_HOOK)),
    // In compose-go's copy of the schema (what `docker compose` validates with), not yet in
    // compose-spec's.
    ("pre_start", S::Seq(&PRE_START_HOOK)),
    ("pre_stop", S::Seq(&SERVICE_HOOK)),
    ("privileged", STR_BOOL),
    ("profiles", LIST_OF_STRINGS),
    ("pull_policy", S_STR),
    ("pull_refresh_after", S_STR),
    ("read_only", STR_BOOL),
    ("restart", S_STR),
    ("runtime", S_STR),
    ("scale", STR_INT),
    ("security_opt", LIST_OF_STRINGS),
    ("shm_size", STR_NUM),
    ("secrets", SERVICE_CONFIG_OR_SECRET),
    ("sysctls", LIST_OR_DICT),
    ("stdin_open", STR_BOOL),
    ("stop_grace_period", S_STR),
    ("stop_signal", S_STR),
    ("storage_opt", S::Dict(&S::Any)),
    ("tmpfs", STRING_OR_LIST),
    ("tty", STR_BOOL),
    ("ulimits", ULIMITS),
    ("use_api_socket", S_BOOL),
    ("user", S_STR),
    ("uts", S_STR),
    ("userns_mode", S_STR),
    ("volumes", SERVICE_VOLUMES),
    ("volumes_from", LIST_OF_STRINGS),
    ("working_dir", S_STR),
]);

const NETWORK: S = S::OneOf(&[
    S::T(NULL),
    S::Obj(&obj(&[
        ("name", S_STR),
        ("driver", S_STR),
        ("driver_opts", DRIVER_OPTS),
        (
            "ipam",
            S::Obj(&obj(&[
                ("driver", S_STR),
                (
                    "config",
                    S::Seq(&S::Obj(&obj(&[
                        ("subnet", S_STR),
                        ("ip_range", S_STR),
                        ("gateway", S_STR),
                        ("aux_addresses", S::Dict(&S_STR)),
                    ]))),
                ),
                ("options", S::Dict(&S_STR)),
            ])),
        ),
        ("external", EXTERNAL),
        ("internal", STR_BOOL),
        ("enable_ipv4", STR_BOOL),
        ("enable_ipv6", STR_BOOL),
        ("attachable", STR_BOOL),
        ("labels", LIST_OR_DICT),
    ])),
]);

const VOLUME: S = S::OneOf(&[
    S::T(NULL),
    S::Obj(&obj(&[
        ("name", S_STR),
        ("driver", S_STR),
        ("driver_opts", DRIVER_OPTS),
        ("external", EXTERNAL),
        ("labels", LIST_OR_DICT),
    ])),
]);

const SECRET: S = S::Obj(&obj(&[
    ("name", S_STR),
    ("environment", S_STR),
    ("file", S_STR),
    ("external", EXTERNAL),
    ("labels", LIST_OR_DICT),
    ("driver", S_STR),
    ("driver_opts", DRIVER_OPTS),
    ("template_driver", S_STR),
]));

const CONFIG: S = S::Obj(&obj(&[
    ("name", S_STR),
    ("content", S_STR),
    ("environment", S_STR),
    ("file", S_STR),
    ("external", EXTERNAL),
    ("labels", LIST_OR_DICT),
    ("template_driver", S_STR),
]));

const MODEL: S = S::Obj(&obj_req(
    &[
        ("name", S_STR),
        ("model", S_STR),
        ("context_size", S_INT),
        ("runtime_flags", LIST_OF_STRINGS),
    ],
    &["model"],
));

/// The top level of a Compose file; `services` is validated service by service.
pub static TOP_LEVEL: Object = obj(&[
    // A string in the schema; `version: 3` is common in old files and Compose ignores the key.
    ("version", STR_NUM),
    ("name", S_STR),
    (
        "include",
        S::Seq(&S::OneOf(&[
            S_STR,
            S::Obj(&obj(&[
                ("path", STRING_OR_LIST),
                ("env_file", STRING_OR_LIST),
                ("project_directory", S_STR),
            ])),
        ])),
    ),
    ("services", S::Dict(&S::Any)),
    ("models", S::Dict(&MODEL)),
    ("networks", S::Dict(&NETWORK)),
    ("volumes", S::Dict(&VOLUME)),
    ("secrets", S::Dict(&SECRET)),
    ("configs", S::Dict(&CONFIG)),
]);

/// A structure problem: where (relative to the validated node) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<PathSeg>,
    pub message: String,
}

/// Validates a service (paths relative to the service) or the top level (paths from the
/// document root), giving interpolated plain scalars their YAML type where the schema wants it.
pub struct Validator<'a> {
    retype: &'a Retype,
    /// How the validated node is named in messages (`service key`, `top-level key`).
    what: &'static str,
    pub problems: Vec<Problem>,
}

impl<'a> Validator<'a> {
    pub fn new(retype: &'a Retype, what: &'static str) -> Self {
        Validator {
            retype,
            what,
            problems: Vec::new(),
        }
    }

    /// Validates a mapping against an object schema.
    pub fn validate(&mut self, object: &'static Object, node: &mut Node) {
        let mut path = Vec::new();
        self.object(object, node, &mut path);
    }

    fn problem(&mut self, path: &[PathSeg], message: String) {
        self.problems.push(Problem {
            path: path.to_vec(),
            message,
        });
    }

    fn check(&mut self, schema: &S, node: &mut Node, path: &mut Vec<PathSeg>) {
        match schema {
            S::Any => {}
            S::T(flags) => match self.scalar(*flags, node) {
                Some(Some(value)) => node.value = value,
                Some(None) => {}
                None => self.type_error(path, schema, node),
            },
            S::Enum(values) => match node.as_str() {
                Some(s) if s.contains(UNKNOWN) || values.contains(&s) => {}
                Some(s) => {
                    let s = s.to_string();
                    self.problem(
                        path,
                        format!(
                            "`{}` must be one of {}, not `{s}`",
                            display(path),
                            values.join(", ")
                        ),
                    );
                }
                None => self.type_error(path, schema, node),
            },
            S::Seq(item) => match &mut node.value {
                NodeValue::Seq(items) => {
                    for (i, n) in items.iter_mut().enumerate() {
                        path.push(PathSeg::Index(i));
                        self.check(item, n, path);
                        path.pop();
                    }
                }
                _ => self.type_error(path, schema, node),
            },
            S::Obj(object) => {
                if node.as_map().is_some() {
                    self.object(object, node, path);
                } else {
                    self.type_error(path, schema, node);
                }
            }
            S::Dict(value) => match &mut node.value {
                NodeValue::Map(entries) => {
                    for e in entries {
                        let key = e.key.key_text().map(|k| k.into_owned()).unwrap_or_default();
                        path.push(PathSeg::Key(key.into()));
                        self.check(value, &mut e.value, path);
                        path.pop();
                    }
                }
                _ => self.type_error(path, schema, node),
            },
            S::OneOf(alternatives) => {
                let chosen = alternatives.iter().find(|a| self.fits(a, node));
                match chosen {
                    Some(a) => self.check(a, node, path),
                    None => self.type_error(path, schema, node),
                }
            }
        }
    }

    fn object(&mut self, object: &'static Object, node: &mut Node, path: &mut Vec<PathSeg>) {
        let NodeValue::Map(entries) = &mut node.value else {
            return;
        };
        for e in entries.iter_mut() {
            let Some(key) = e.key.key_text().map(|k| k.into_owned()) else {
                continue;
            };
            let known = object.props.iter().find(|(k, _)| *k == key);
            path.push(PathSeg::Key(key.as_str().into()));
            match known {
                Some((_, schema)) => self.check(schema, &mut e.value, path),
                None if key.starts_with("x-") || !object.closed => {}
                None => {
                    let hint = suggestion(&key, object)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    let message = if path.len() == 1 {
                        format!("unknown {} `{key}`{hint}", self.what)
                    } else {
                        format!(
                            "unknown key `{key}` in `{}`{hint}",
                            display(&path[..path.len() - 1])
                        )
                    };
                    self.problem(path, message);
                }
            }
            path.pop();
        }
        for required in object.required {
            let present = entries
                .iter()
                .any(|e| e.key.key_text().as_deref() == Some(*required));
            if !present {
                let message = if path.is_empty() {
                    format!("missing required key `{required}`")
                } else {
                    format!("`{}` needs a `{required}` key", display(path))
                };
                self.problem(path, message);
            }
        }
    }

    /// Whether a node's kind fits an alternative of a `oneOf`.
    fn fits(&self, schema: &S, node: &Node) -> bool {
        match (schema, &node.value) {
            (S::Any, _) => true,
            (S::T(flags), _) => self.scalar(*flags, node).is_some(),
            (S::Enum(_), NodeValue::Str(_)) => true,
            (S::Seq(_), NodeValue::Seq(_)) => true,
            (S::Obj(_) | S::Dict(_), NodeValue::Map(_)) => true,
            (S::OneOf(alts), _) => alts.iter().any(|a| self.fits(a, node)),
            _ => false,
        }
    }

    /// `None`: the scalar does not fit; `Some(None)`: it fits as it is; `Some(Some(v))`: it fits
    /// once given the value `v` (an interpolated plain scalar, retyped).
    fn scalar(&self, flags: u8, node: &Node) -> Option<Option<NodeValue>> {
        let fits = |v: &NodeValue| match v {
            NodeValue::Null => flags & NULL != 0,
            NodeValue::Bool(_) => flags & BOOL != 0,
            NodeValue::Int(_) => flags & (INT | NUM) != 0,
            NodeValue::Float(f) => flags & NUM != 0 || (flags & INT != 0 && f.fract() == 0.0),
            NodeValue::Str(_) => flags & STR != 0,
            NodeValue::Seq(_) | NodeValue::Map(_) => false,
        };
        if let NodeValue::Str(s) = &node.value {
            if s.contains(UNKNOWN) {
                return Some(None);
            }
            // Only two cases look at what the text would be as a plain scalar: a string where
            // the schema wants none, and an interpolated plain scalar.
            if flags & (INT | NUM | BOOL | NULL) == 0
                || (flags & STR != 0
                    && !self.retype.contains(&(node.origin, node.span.start.offset)))
            {
                return fits(&node.value).then_some(None);
            }
            let typed = crate::yaml::plain_value(s);
            if !matches!(typed, NodeValue::Str(_)) && fits(&typed) {
                if self.retype.contains(&(node.origin, node.span.start.offset)) {
                    return Some(Some(typed));
                }
                if flags & STR == 0 {
                    // Compose casts such strings; accept them as written.
                    return Some(None);
                }
            }
        }
        fits(&node.value).then_some(None)
    }

    fn type_error(&mut self, path: &[PathSeg], schema: &S, node: &Node) {
        let mut kinds = Vec::new();
        expected(schema, &mut kinds);
        let message = format!(
            "`{}` must be {}, not {}",
            display(path),
            join_or(&kinds),
            article(node.type_name())
        );
        self.problem(path, message);
    }
}

fn expected(schema: &S, out: &mut Vec<&'static str>) {
    let mut push = |k: &'static str| {
        if !out.contains(&k) {
            out.push(k);
        }
    };
    match schema {
        S::Any => push("any value"),
        S::T(flags) => {
            if flags & STR != 0 {
                push("a string");
            }
            if flags & NUM != 0 {
                push("a number");
            } else if flags & INT != 0 {
                push("an integer");
            }
            if flags & BOOL != 0 {
                push("a boolean");
            }
            if flags & NULL != 0 {
                push("null");
            }
        }
        S::Enum(_) => push("a string"),
        S::Seq(_) => push("a sequence"),
        S::Obj(_) | S::Dict(_) => push("a mapping"),
        S::OneOf(alts) => {
            for a in alts.iter() {
                expected(a, out);
            }
        }
    }
}

fn join_or(kinds: &[&str]) -> String {
    match kinds {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "null" => "null".into(),
        "mapping" => "a mapping".into(),
        "sequence" => "a sequence".into(),
        "number" => "a number".into(),
        "boolean" => "a boolean".into(),
        other => format!("a {other}"),
    }
}

/// `deploy.resources.limits`, `ports[0].target`.
pub fn display(path: &[PathSeg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathSeg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The known key closest to a misspelt one (edit distance ≤ 2).
fn suggestion(key: &str, object: &Object) -> Option<&'static str> {
    object
        .props
        .iter()
        .map(|(k, _)| (*k, edit_distance(key, k)))
        .filter(|(_, d)| *d <= 2)
        .min_by_key(|(_, d)| *d)
        .map(|(k, _)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Every property path the schema knows, as the Compose specification's schema spells them
/// (`services.*.develop.watch[].path`): the cross-check test compares them with the list
/// generated from the specification (`fixtures/compose-spec/paths.txt`).
pub fn known_paths() -> Vec<String> {
    fn walk(schema: &S, path: &str, out: &mut Vec<String>) {
        match schema {
            S::Any | S::T(_) | S::Enum(_) => {}
            S::Seq(item) => walk(item, &format!("{path}[]"), out),
            S::Dict(value) => walk(value, &format!("{path}.*"), out),
            S::OneOf(alternatives) => {
                for a in alternatives.iter() {
                    walk(a, path, out);
                }
            }
            S::Obj(object) => props(object, path, out),
        }
    }
    fn props(object: &Object, path: &str, out: &mut Vec<String>) {
        for (key, schema) in object.props {
            let p = if path.is_empty() {
                (*key).to_string()
            } else {
                format!("{path}.{key}")
            };
            out.push(p.clone());
            walk(schema, &p, out);
        }
    }
    let mut out = Vec::new();
    props(&TOP_LEVEL, "", &mut out);
    props(&SERVICE, "services.*", &mut out);
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(yaml: &str) -> Vec<(String, String)> {
        let mut node = crate::yaml::parse_stream(yaml).documents.remove(0).root;
        let retype = Retype::new();
        let mut v = Validator::new(&retype, "service key");
        v.validate(&SERVICE, &mut node);
        v.problems
            .into_iter()
            .map(|p| (display(&p.path), p.message))
            .collect()
    }

    #[test]
    fn valid_services_pass() {
        let yaml = r#"
image: nginx:1.27
ports: ["8080:80", 9090, {target: 80, published: "8081", host_ip: 127.0.0.1, x-note: a}]
environment: {A: 1, B: true, C: null, D: x}
labels: ["a=b"]
command: ["nginx", "-g", "daemon off;"]
entrypoint: null
deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 512M}}, placement: {max_replicas_per_node: 1}}
healthcheck: {test: ["CMD", "true"], interval: 10s, retries: 3}
depends_on: {db: {condition: service_healthy}}
networks: {front: null, back: {aliases: [x]}}
volumes: [./data:/data, {type: bind, source: ., target: /src, bind: {selinux: z}}]
ulimits: {nofile: {soft: 1, hard: 2}, nproc: 65535}
extends: {service: base, file: common.yaml}
build: .
read_only: "true"
user: "1000"
profiles: [debug]
gpus: all
x-anything: {whatever: [1]}
"#;
        assert_eq!(problems(yaml), Vec::<(String, String)>::new());
    }

    #[test]
    fn unknown_keys_and_wrong_types() {
        let yaml = r#"
imagee: nginx
ports: "8080:80"
environment: 42
deploy: {replicas: [2], resources: {limits: {cpu: 1}}}
user: 1000
cgroup: shared
depends_on: {db: {required: true}}
volumes: [{source: x, target: /y}]
read_only: maybe
"#;
        let got = problems(yaml);
        let want = vec![
            (
                "imagee",
                "unknown service key `imagee` (did you mean `image`?)",
            ),
            ("ports", "`ports` must be a sequence, not a string"),
            (
                "environment",
                "`environment` must be a mapping or a sequence, not a number",
            ),
            (
                "deploy.replicas",
                "`deploy.replicas` must be a string or an integer, not a sequence",
            ),
            (
                "deploy.resources.limits.cpu",
                "unknown key `cpu` in `deploy.resources.limits` (did you mean `cpus`?)",
            ),
            ("user", "`user` must be a string, not a number"),
            (
                "cgroup",
                "`cgroup` must be one of host, private, not `shared`",
            ),
            ("depends_on.db", "`depends_on.db` needs a `condition` key"),
            ("volumes[0]", "`volumes[0]` needs a `type` key"),
        ];
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn interpolated_plain_scalars_take_their_yaml_type() {
        let yaml = "deploy: {replicas: '3'}\nimage: '1'\nread_only: x\n";
        let mut node = crate::yaml::parse_stream(yaml).documents.remove(0).root;
        let mut retype = Retype::new();
        let at = |key: &str| {
            let n = node.get(key).unwrap();
            (n.origin, n.span.start.offset)
        };
        let replicas = node.get("deploy").unwrap().get("replicas").unwrap();
        retype.insert((replicas.origin, replicas.span.start.offset));
        retype.insert(at("image"));
        let mut v = Validator::new(&retype, "service key");
        v.validate(&SERVICE, &mut node);
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert_eq!(
            node.to_json(),
            serde_json::json!({"deploy": {"replicas": 3}, "image": "1", "read_only": "x"})
        );
        let mut unknown = crate::yaml::parse_stream(&format!("read_only: '{UNKNOWN}'\n"))
            .documents
            .remove(0)
            .root;
        let mut v = Validator::new(&retype, "service key");
        v.validate(&SERVICE, &mut unknown);
        assert!(v.problems.is_empty());
    }

    #[test]
    fn top_level_keys() {
        let yaml = "version: '3'\nservices: {}\nnetwork: {}\nx-common: &c {a: 1}\nvolumes: {data: null, logs: {driver: local}}\nsecrets: {s: null}\n";
        let mut node = crate::yaml::parse_stream(yaml).documents.remove(0).root;
        let retype = Retype::new();
        let mut v = Validator::new(&retype, "top-level key");
        v.validate(&TOP_LEVEL, &mut node);
        let got: Vec<String> = v.problems.iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            got,
            vec![
                "unknown top-level key `network` (did you mean `networks`?)".to_string(),
                "`secrets.s` must be a mapping, not null".to_string(),
            ]
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("imagee", "image"), 1);
        assert_eq!(edit_distance("prots", "ports"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    /// Every key the Compose specification defines (the paths of `compose-spec.json`, with the
    /// keys compose-go's copy adds, listed in `fixtures/compose-spec/paths.txt` by
    /// `scripts/compose-spec-paths`) is known to the schema table.
    #[test]
    fn every_specification_key_is_known() {
        let ours = known_paths();
        let spec = include_str!("../../fixtures/compose-spec/paths.txt");
        let missing: Vec<&str> = spec
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter(|p| !ours.iter().any(|o| o == p))
            .collect();
        assert!(
            missing.is_empty(),
            "keys of the Compose specification missing from the schema: {missing:#?}"
        );
        assert!(
            spec.lines().count() > 300,
            "the list of keys looks truncated"
        );
    }
}
