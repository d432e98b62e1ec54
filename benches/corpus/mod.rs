//! A deterministic corpus of Kubernetes manifests for benchmarks: seeded, mixed compliant and
//! non-compliant, 1–20 documents per file, every common kind.

use std::fmt::Write as _;
use std::path::Path;

/// What was written.
pub struct Corpus {
    pub files: usize,
    pub documents: usize,
    pub bytes: u64,
}

/// Writes `documents` Kubernetes documents under `dir` (replacing what is there).
pub fn kubernetes(dir: &Path, documents: usize, seed: u64) -> std::io::Result<Corpus> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut written = 0;
    let mut files = 0;
    let mut bytes = 0u64;
    while written < documents {
        let in_file = rng.usize(1..=20).min(documents - written);
        let ns = format!("team-{}", rng.usize(0..50));
        let mut text = String::new();
        for i in 0..in_file {
            if i > 0 {
                text.push_str("---\n");
            }
            let n = written + i;
            let app = format!("app-{n}");
            match rng.usize(0..100) {
                0..=34 => workload(&mut text, &mut rng, "Deployment", &app, &ns),
                35..=44 => workload(&mut text, &mut rng, "StatefulSet", &app, &ns),
                45..=49 => workload(&mut text, &mut rng, "DaemonSet", &app, &ns),
                50..=54 => workload(&mut text, &mut rng, "CronJob", &app, &ns),
                55..=74 => service(&mut text, &mut rng, &app, &ns),
                75..=84 => network_policy(&mut text, &mut rng, &app, &ns),
                85..=92 => config_map(&mut text, &app, &ns),
                _ => hpa(&mut text, &mut rng, &app, &ns),
            }
        }
        let sub = dir.join(format!("d{:03}", files / 100));
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join(format!("m{files:05}.yaml")), &text)?;
        bytes += text.len() as u64;
        written += in_file;
        files += 1;
    }
    Ok(Corpus {
        files,
        documents: written,
        bytes,
    })
}

fn workload(out: &mut String, rng: &mut fastrand::Rng, kind: &str, app: &str, ns: &str) {
    let hardened = rng.bool();
    let replicas = [1, 2, 3, 5][rng.usize(0..4)];
    let api = if kind == "CronJob" {
        "batch/v1"
    } else {
        "apps/v1"
    };
    let _ = writeln!(
        out,
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {ns}"
    );
    let _ = writeln!(
        out,
        "  labels:\n    app: {app}\n    app.kubernetes.io/part-of: bench"
    );
    let indent = if kind == "CronJob" {
        let _ = writeln!(
            out,
            "spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels:\n            app: {app}\n        spec:\n          restartPolicy: OnFailure"
        );
        "          "
    } else {
        let _ = writeln!(out, "spec:");
        if kind != "DaemonSet" {
            let _ = writeln!(out, "  replicas: {replicas}");
        }
        let _ = writeln!(
            out,
            "  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n        tier: backend\n    spec:"
        );
        "      "
    };
    if hardened {
        let _ = writeln!(
            out,
            "{indent}securityContext:\n{indent}  runAsNonRoot: true\n{indent}  runAsUser: 10001\n{indent}  seccompProfile:\n{indent}    type: RuntimeDefault"
        );
        if kind != "CronJob" && replicas > 1 {
            let _ = writeln!(
                out,
                "{indent}affinity:\n{indent}  podAntiAffinity:\n{indent}    preferredDuringSchedulingIgnoredDuringExecution:\n{indent}      - weight: 100\n{indent}        podAffinityTerm:\n{indent}          topologyKey: kubernetes.io/hostname\n{indent}          labelSelector:\n{indent}            matchLabels:\n{indent}              app: {app}"
            );
            let _ = writeln!(
                out,
                "{indent}topologySpreadConstraints:\n{indent}  - maxSkew: 1\n{indent}    topologyKey: topology.kubernetes.io/zone\n{indent}    whenUnsatisfiable: ScheduleAnyway\n{indent}    labelSelector:\n{indent}      matchLabels:\n{indent}        app: {app}"
            );
        }
    }
    let _ = writeln!(out, "{indent}containers:");
    let containers = rng.usize(1..=3);
    for c in 0..containers {
        let port = 8080 + c;
        let tag = if hardened {
            "1.4.2"
        } else {
            ["latest", "1.0"][rng.usize(0..2)]
        };
        let _ = writeln!(
            out,
            "{indent}  - name: c{c}\n{indent}    image: registry.example.com/{app}:{tag}\n{indent}    ports:\n{indent}      - name: http{c}\n{indent}        containerPort: {port}"
        );
        if hardened || rng.bool() {
            let _ = writeln!(
                out,
                "{indent}    resources:\n{indent}      requests:\n{indent}        cpu: 100m\n{indent}        memory: 128Mi\n{indent}      limits:\n{indent}        cpu: \"1\"\n{indent}        memory: 256Mi"
            );
        }
        if hardened {
            let _ = writeln!(
                out,
                "{indent}    securityContext:\n{indent}      allowPrivilegeEscalation: false\n{indent}      readOnlyRootFilesystem: true\n{indent}      capabilities:\n{indent}        drop: [ALL]"
            );
            if kind != "CronJob" {
                let _ = writeln!(
                    out,
                    "{indent}    livenessProbe:\n{indent}      httpGet:\n{indent}        path: /healthz\n{indent}        port: http{c}\n{indent}    readinessProbe:\n{indent}      httpGet:\n{indent}        path: /ready\n{indent}        port: {port}"
                );
            }
        } else {
            let _ = writeln!(
                out,
                "{indent}    env:\n{indent}      - name: DB_PASSWORD\n{indent}        value: hunter2\n{indent}      - name: LOG_LEVEL\n{indent}        value: info"
            );
        }
    }
}

fn service(out: &mut String, rng: &mut fastrand::Rng, app: &str, ns: &str) {
    let node_port = if rng.usize(0..10) == 0 {
        format!("\n      nodePort: {}", 30000 + rng.usize(0..2000))
    } else {
        String::new()
    };
    let kind = if node_port.is_empty() {
        "ClusterIP"
    } else {
        "NodePort"
    };
    let _ = writeln!(
        out,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  type: {kind}\n  selector:\n    app: {app}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080{node_port}"
    );
}

fn network_policy(out: &mut String, rng: &mut fastrand::Rng, app: &str, ns: &str) {
    let selector = if rng.bool() {
        "{}".to_string()
    } else {
        format!("\n    matchLabels:\n      app: {app}")
    };
    let _ = writeln!(
        out,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  podSelector: {selector}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              role: frontend"
    );
}

fn config_map(out: &mut String, app: &str, ns: &str) {
    let _ = writeln!(
        out,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  application.yaml: |\n    server:\n      port: 8080\n    feature:\n      enabled: true"
    );
}

fn hpa(out: &mut String, rng: &mut fastrand::Rng, app: &str, ns: &str) {
    let _ = writeln!(
        out,
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: app-{}\n  minReplicas: {}\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: 70",
        rng.usize(0..1000),
        rng.usize(1..4)
    );
}
