# The Compose reference fixtures (fixtures/reference/compose/), service by service, as the Compose
# loader hands them to policies (no override, no interpolation: the services as written), through
# the Compose side of the resource and healthcheck checks. The hardened file must give no
# finding; the as-written file gives, on every service, exactly the five missing-setting
# findings its README lists for these checks (missing-cpu-request, missing-memory-request,
# missing-cpu-limit, missing-memory-limit, missing-healthcheck), each pointing at a missing key,
# i.e. at the service's key line, and no request-exceeds-limit.
package rampart.lib.compose_resources_reference_test

import rego.v1

import data.rampart.checks.missing_cpu_limit.compose as missing_cpu_limit
import data.rampart.checks.missing_cpu_request.compose as missing_cpu_request
import data.rampart.checks.missing_healthcheck.compose as missing_healthcheck
import data.rampart.checks.missing_memory_limit.compose as missing_memory_limit
import data.rampart.checks.missing_memory_request.compose as missing_memory_request
import data.rampart.checks.request_exceeds_limit.compose as request_exceeds_limit

# fixtures/reference/compose/hardened/docker-compose.yml
hardened := {
	"spark-master": {"image": "bitnami/spark:3.5.5", "user": "1001:1001", "read_only": true, "tmpfs": ["/opt/bitnami/spark/conf:size=16m", "/opt/bitnami/spark/tmp:size=16m", "/opt/bitnami/spark/logs:size=64m", "/tmp:size=256m"], "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "environment": ["SPARK_MODE=master", "SPARK_RPC_AUTHENTICATION_ENABLED=no", "SPARK_RPC_ENCRYPTION_ENABLED=no", "SPARK_LOCAL_STORAGE_ENCRYPTION_ENABLED=no", "SPARK_SSL_ENABLED=no"], "ports": ["127.0.0.1:8081:8080", "127.0.0.1:7077:7077"], "healthcheck": {"test": ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/', timeout=5)"], "interval": "30s", "timeout": "10s", "retries": 3, "start_period": "30s"}, "deploy": {"resources": {"limits": {"cpus": "1.0", "memory": "2G"}, "reservations": {"cpus": "0.5", "memory": "1G"}}}},
	"spark-worker": {"image": "bitnami/spark:3.5.5", "user": "1001:1001", "read_only": true, "tmpfs": ["/opt/bitnami/spark/conf:size=16m", "/opt/bitnami/spark/tmp:size=16m", "/opt/bitnami/spark/logs:size=64m", "/opt/bitnami/spark/work:size=1g", "/tmp:exec,size=1g"], "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "environment": ["SPARK_MODE=worker", "SPARK_MASTER_URL=spark://spark-master:7077", "SPARK_WORKER_CORES=2", "SPARK_WORKER_MEMORY=2G", "SPARK_RPC_AUTHENTICATION_ENABLED=no", "SPARK_RPC_ENCRYPTION_ENABLED=no", "SPARK_LOCAL_STORAGE_ENCRYPTION_ENABLED=no", "SPARK_SSL_ENABLED=no"], "depends_on": {"spark-master": {"condition": "service_healthy"}}, "healthcheck": {"test": ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/', timeout=5)"], "interval": "30s", "timeout": "10s", "retries": 3, "start_period": "30s"}, "deploy": {"resources": {"limits": {"cpus": "2.0", "memory": "4G"}, "reservations": {"cpus": "1.0", "memory": "2G"}}}},
	"redis": {"image": "redis:7.2.4-alpine", "user": "999:1000", "read_only": true, "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "ports": ["127.0.0.1:6379:6379"], "volumes": ["redis-data:/data"], "healthcheck": {"test": ["CMD-SHELL", "redis-cli ping | grep -q PONG"], "interval": "10s", "timeout": "5s", "retries": 5, "start_period": "5s"}, "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "512M"}, "reservations": {"cpus": "0.25", "memory": "256M"}}}},
	"minio": {"image": "minio/minio:RELEASE.2024-01-16T16-07-38Z", "user": "1001:1001", "read_only": true, "tmpfs": ["/tmp:size=64m"], "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "command": "server /data --console-address \":9001\"", "environment": ["MINIO_ROOT_USER_FILE=/run/secrets/minio_root_user", "MINIO_ROOT_PASSWORD_FILE=/run/secrets/minio_root_password", "HOME=/tmp"], "secrets": ["minio_root_user", "minio_root_password"], "ports": ["127.0.0.1:9000:9000", "127.0.0.1:9001:9001"], "volumes": ["./data/minio:/data"], "healthcheck": {"test": ["CMD", "mc", "ready", "local"], "interval": "30s", "timeout": "10s", "retries": 3, "start_period": "10s"}, "deploy": {"resources": {"limits": {"cpus": "1.0", "memory": "1G"}, "reservations": {"cpus": "0.5", "memory": "512M"}}}},
	"api-gateway": {"image": "datajump/api-gateway:1.0.0", "user": "1001:1001", "read_only": true, "tmpfs": ["/tmp:size=16m"], "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "ports": ["127.0.0.1:8080:8080"], "healthcheck": {"test": ["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"], "interval": "15s", "timeout": "5s", "retries": 3, "start_period": "10s"}, "deploy": {"resources": {"limits": {"cpus": "1.0", "memory": "512M"}, "reservations": {"cpus": "0.25", "memory": "128M"}}}},
	"inference": {"image": "datajump/inference:1.0.0", "user": "1001:1001", "read_only": true, "tmpfs": ["/tmp:size=512m"], "security_opt": ["no-new-privileges:true"], "cap_drop": ["ALL"], "ports": ["127.0.0.1:3000:3000"], "healthcheck": {"test": ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/health', timeout=5)"], "interval": "30s", "timeout": "10s", "retries": 3, "start_period": "60s"}, "deploy": {"resources": {"limits": {"cpus": "2.0", "memory": "4G"}, "reservations": {"cpus": "1.0", "memory": "2G"}}}},
}

# fixtures/reference/compose/as-written/docker-compose.yml
as_written := {
	"spark-master": {"image": "bitnami/spark:latest", "environment": ["SPARK_MODE=master", "SPARK_RPC_AUTHENTICATION_ENABLED=no", "SPARK_RPC_ENCRYPTION_ENABLED=no", "SPARK_LOCAL_STORAGE_ENCRYPTION_ENABLED=no", "SPARK_SSL_ENABLED=no"], "ports": ["8080:8080", "7077:7077"]},
	"spark-worker": {"image": "bitnami/spark:latest", "environment": ["SPARK_MODE=worker", "SPARK_MASTER_URL=spark://spark-master:7077", "SPARK_RPC_AUTHENTICATION_ENABLED=no", "SPARK_RPC_ENCRYPTION_ENABLED=no", "SPARK_LOCAL_STORAGE_ENCRYPTION_ENABLED=no", "SPARK_SSL_ENABLED=no"], "depends_on": ["spark-master"]},
	"redis": {"image": "redis:alpine", "ports": ["6379:6379"]},
	"minio": {"image": "minio/minio", "command": "server /data --console-address \":9001\"", "environment": ["MINIO_ROOT_USER=minioadmin", "MINIO_ROOT_PASSWORD=minioadmin"], "ports": ["9000:9000", "9001:9001"]},
	"api-gateway": {"image": "datajump/api-gateway", "ports": ["8080:8080"]},
	"inference": {"image": "datajump/inference", "ports": ["3000:3000"]},
}

compose_input(services, name) := {
	"name": name,
	"service": services[name],
	"ports": [],
	"project": {"name": "reference", "services": {n: {"service": s, "ports": []} | some n, s in services}},
	"problems": [],
}

# Every finding of the six checks for one service, as [check, path] pairs.
findings(services, name) := found if {
	inp := compose_input(services, name)
	cr := missing_cpu_request.deny with input as inp
	mr := missing_memory_request.deny with input as inp
	cl := missing_cpu_limit.deny with input as inp
	ml := missing_memory_limit.deny with input as inp
	rl := request_exceeds_limit.deny with input as inp
	hc := missing_healthcheck.deny with input as inp
	found := {["missing-cpu-request", r.path] | some r in cr} | {["missing-memory-request", r.path] | some r in mr} | {["missing-cpu-limit", r.path] | some r in cl} | {["missing-memory-limit", r.path] | some r in ml} | {["request-exceeds-limit", r.path] | some r in rl} | {["missing-healthcheck", r.path] | some r in hc}
}

test_hardened_reference_has_no_resource_or_healthcheck_finding if {
	count(hardened) == 6
	every name, _ in hardened {
		count(findings(hardened, name)) == 0
	}
}

test_as_written_reference_has_the_five_missing_settings_on_every_service if {
	count(as_written) == 6
	every name, _ in as_written {
		findings(as_written, name) == {
			["missing-cpu-request", ["deploy", "resources", "reservations", "cpus"]],
			["missing-memory-request", ["deploy", "resources", "reservations", "memory"]],
			["missing-cpu-limit", ["deploy", "resources", "limits", "cpus"]],
			["missing-memory-limit", ["deploy", "resources", "limits", "memory"]],
			["missing-healthcheck", ["healthcheck"]],
		}
	}
}

# None of these paths starts at a key of an as-written service: each resolves to the service's key.
test_as_written_findings_point_at_missing_keys if {
	every name, service in as_written {
		every key in ["deploy", "healthcheck", "cpus", "mem_limit", "mem_reservation"] {
			not key in object.keys(service)
		}
	}
}

# The hardened reservations are at most their limits, and not by accident of the parser: each is
# strictly below its limit.
test_hardened_reservations_are_below_their_limits if {
	every name, service in hardened {
		limits := service.deploy.resources.limits
		reservations := service.deploy.resources.reservations
		data.rampart.lib.compose_resources.cpus(reservations.cpus) < data.rampart.lib.compose_resources.cpus(limits.cpus)
		data.rampart.lib.compose_resources.bytes(reservations.memory) < data.rampart.lib.compose_resources.bytes(limits.memory)
	}
}
