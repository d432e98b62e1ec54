//! Deterministic corpora for benchmarks, seeded, mixing compliant and non-compliant input:
//! Kubernetes manifests (1–20 documents per file, every common kind) and Compose projects
//! (2–12 services, some with an override file and a `.env`).

use std::fmt::Write as _;
use std::path::Path;

/// What was written.
pub struct Corpus {
    pub files: usize,
    /// YAML documents (Kubernetes) or services (Compose): what rampart evaluates.
    pub documents: usize,
    pub bytes: u64,
}

/// Writes one file of `pods` Pods under `dir` (replacing what is there): two containers each
/// (one with resources, env, a port and a probe; one hardened sidecar), 20 namespaces. One big
/// file measures what a directory of small ones does not: reading and parsing one file, and
/// spreading its documents over the cores.
pub fn pods_file(dir: &Path, pods: usize, seed: u64) -> std::io::Result<Corpus> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut text = String::new();
    for i in 0..pods {
        let cpu = ["100m", "250m", "500m"][rng.usize(0..3)];
        let memory = ["64Mi", "128Mi", "256Mi"][rng.usize(0..3)];
        let tier = ["web", "db", "cache"][rng.usize(0..3)];
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: ns-{ns}\n  \
             labels:\n    app: app-{app}\n    tier: {tier}\nspec:\n  containers:\n    \
             - name: main\n      image: registry.example.com/app-{app}:1.{minor}.0\n      \
             ports:\n        - containerPort: {port}\n          name: http\n      env:\n        \
             - name: LOG_LEVEL\n          value: info\n        - name: DB_PASSWORD\n          \
             value: hunter{i}\n      resources:\n        requests:\n          cpu: {cpu}\n          \
             memory: {memory}\n        limits:\n          cpu: \"1\"\n          memory: 512Mi\n      \
             readinessProbe:\n        httpGet:\n          path: /healthz\n          port: http\n    \
             - name: sidecar\n      image: registry.example.com/proxy:2.0\n      \
             securityContext:\n        runAsNonRoot: true\n        readOnlyRootFilesystem: true\n        \
             allowPrivilegeEscalation: false\n",
            ns = i % 20,
            app = i % 50,
            minor = i % 7,
            port = 8000 + i % 100,
        ));
    }
    std::fs::write(dir.join("pods.yaml"), &text)?;
    Ok(Corpus {
        files: 1,
        documents: pods,
        bytes: text.len() as u64,
    })
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

/// Writes `projects` Compose projects under `dir` (replacing what is there), one directory each:
/// `compose.yaml`, for one in five a `compose.override.yaml`, for one in three a `.env`.
pub fn compose(dir: &Path, projects: usize, seed: u64) -> std::io::Result<Corpus> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut corpus = Corpus {
        files: 0,
        documents: 0,
        bytes: 0,
    };
    for p in 0..projects {
        let project = dir
            .join(format!("d{:03}", p / 100))
            .join(format!("p{p:05}"));
        std::fs::create_dir_all(&project)?;
        let services = rng.usize(2..=12);
        let with_env = rng.usize(0..3) == 0;
        let mut text = String::from("services:\n");
        for s in 0..services {
            compose_service(&mut text, &mut rng, s, with_env);
        }
        text.push_str("\nvolumes:\n  data: {}\n\nnetworks:\n  backend: {}\n");
        let mut write = |name: &str, text: &str| {
            corpus.files += 1;
            corpus.bytes += text.len() as u64;
            std::fs::write(project.join(name), text)
        };
        write("compose.yaml", &text)?;
        if rng.usize(0..5) == 0 {
            write(
                "compose.override.yaml",
                "services:\n  svc-0:\n    environment:\n      DEBUG: \"1\"\n    ports:\n      - \"9229:9229\"\n",
            )?;
        }
        if with_env {
            write(".env", "TAG=2.4.1\nLOG_LEVEL=info\n")?;
        }
        corpus.documents += services;
    }
    Ok(corpus)
}

fn compose_service(out: &mut String, rng: &mut fastrand::Rng, s: usize, with_env: bool) {
    let hardened = rng.bool();
    let image = match (hardened, with_env) {
        (true, true) => format!("registry.example.com/svc-{s}:${{TAG}}"),
        (true, false) => format!("registry.example.com/svc-{s}:2.4.1"),
        (false, _) => [
            format!("registry.example.com/svc-{s}:latest"),
            format!("registry.example.com/svc-{s}"),
        ][rng.usize(0..2)]
        .clone(),
    };
    let _ = writeln!(out, "  svc-{s}:\n    image: {image}");
    // Host ports 8000-8029: with up to 12 services, some projects publish one twice. Hardened
    // services publish on the loopback interface only.
    let (ip, host_ip) = if hardened {
        ("127.0.0.1:", "\n        host_ip: 127.0.0.1")
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "    ports:\n      - \"{ip}{}:8080\"\n      - target: 9090\n        published: \"{}\"{host_ip}\n        protocol: tcp",
        8000 + rng.usize(0..30),
        19000 + s
    );
    let _ = writeln!(
        out,
        "    networks: [backend]\n    volumes:\n      - data:/var/lib/svc-{s}"
    );
    if s > 0 {
        let _ = writeln!(
            out,
            "    depends_on:\n      svc-0:\n        condition: service_healthy"
        );
    }
    if hardened {
        let _ = writeln!(
            out,
            "    user: \"10001:10001\"\n    read_only: true\n    tmpfs:\n      - /tmp:size=64m\n    security_opt:\n      - no-new-privileges:true\n    cap_drop: [ALL]"
        );
        let _ = writeln!(
            out,
            "    healthcheck:\n      test: [\"CMD\", \"/bin/healthcheck\"]\n      interval: 30s\n      timeout: 5s\n      retries: 3"
        );
        let _ = writeln!(
            out,
            "    deploy:\n      resources:\n        limits:\n          cpus: \"1.0\"\n          memory: 512M\n        reservations:\n          cpus: \"0.25\"\n          memory: 256M"
        );
        let level = if with_env { "${LOG_LEVEL}" } else { "info" };
        let _ = writeln!(out, "    environment:\n      LOG_LEVEL: {level}");
    } else {
        let _ = writeln!(
            out,
            "    environment:\n      - DB_PASSWORD=hunter2\n      - LOG_LEVEL=debug"
        );
        if rng.usize(0..4) == 0 {
            let _ = writeln!(
                out,
                "    privileged: true\n    cap_add: [NET_ADMIN, SYS_ADMIN]"
            );
        }
        if rng.usize(0..4) == 0 {
            let _ = writeln!(out, "    pid: host");
        }
    }
}

/// Writes a corpus of the shapes that once made rampart quadratic, `n` of each (replacing what
/// is there): one directory of `n` files, each a Deployment and a Service, where every Service
/// selects every Deployment's pods (one application, many Services) and every fiftieth
/// Deployment binds host port 9000; and one Compose project of `n` services, each publishing a
/// port of its own and waiting for the next one. Large single units: what an index or a
/// per-project table must answer in one lookup, where a rescan per object costs n².
pub fn crowded(dir: &Path, n: usize) -> std::io::Result<Corpus> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let manifests = dir.join("manifests");
    let project = dir.join("compose");
    std::fs::create_dir_all(&manifests)?;
    std::fs::create_dir_all(&project)?;
    let mut corpus = Corpus {
        files: 0,
        documents: 0,
        bytes: 0,
    };
    for i in 0..n {
        let host_port = if i % 50 == 0 { ", hostPort: 9000" } else { "" };
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: shop\n\
             spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: shop\n      part: web-{i}\n  \
             template:\n    metadata:\n      labels:\n        app: shop\n        part: web-{i}\n    \
             spec:\n      containers:\n        - name: web\n          image: registry.example.com/shop/web:1.{i}\n          \
             ports: [{{name: http, containerPort: 8080{host_port}}}]\n\
             ---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\n  namespace: shop\n\
             spec:\n  selector:\n    app: shop\n  ports:\n    - port: 80\n      targetPort: {target}\n",
            target = if i % 2 == 0 { "http" } else { "8080" },
        );
        corpus.files += 1;
        corpus.documents += 2;
        corpus.bytes += text.len() as u64;
        std::fs::write(manifests.join(format!("web-{i:05}.yaml")), text)?;
    }
    let mut text = String::from("services:\n");
    for s in 0..n {
        let _ = writeln!(
            text,
            "  svc-{s}:\n    image: registry.example.com/svc:1.{s}\n    ports: [\"{}:8080\"]\n    \
             depends_on:\n      svc-{}:\n        condition: service_started",
            10000 + s,
            (s + 1) % n
        );
    }
    corpus.files += 1;
    corpus.documents += n;
    corpus.bytes += text.len() as u64;
    std::fs::write(project.join("compose.yaml"), text)?;
    Ok(corpus)
}
