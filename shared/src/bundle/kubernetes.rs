//! Kubernetes manifests for phases that run on Kubernetes: a Deployment sized as one app
//! instance per pod, a Service, a HorizontalPodAutoscaler (autoscaling/v2) between the phase's
//! min and max instances at its CPU and memory warning thresholds, a PodDisruptionBudget, a
//! ConfigMap with the phase's settings and a kustomization tying them together.

use super::escape::yaml;
use super::{BundleSpec, mib_of_gib};

/// (file name, contents), in the kustomization's order.
pub fn manifests(spec: &BundleSpec) -> Vec<(String, String)> {
    let p = &spec.phase;
    // Names come from the phase key (validated to `[a-z0-9-]`); they still go through the YAML
    // helpers so that no future key can change a manifest's shape.
    let raw = spec.name();
    let name = yaml::scalar(&raw);
    let config = yaml::scalar(&format!("{raw}-config"));
    let secrets = yaml::scalar(&format!("{raw}-secrets"));
    let (min, max) = spec.app_range();
    // One pod = one app instance: request 90 % of its vCPUs and 80 % of its memory (the rest is
    // for the node's own daemons), limit at the full size; memory limit = request avoids
    // overcommit surprises.
    let cpu_request_m = p.app.vcpu * 900;
    let cpu_limit_m = p.app.vcpu * 1_000;
    let mem_mib = mib_of_gib(p.app.memory_gib) * 8 / 10;
    let labels = format!(
        "app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: phaseplan\n    phaseplan/phase: {}",
        yaml::scalar(&p.key)
    );
    let namespace = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: phaseplan\n  labels:\n    {labels}\n"
    );
    let db_host = if p.database.pgbouncer {
        "pgbouncer"
    } else {
        "postgres"
    };
    let db_port = if p.database.pgbouncer { 6432 } else { 5432 };
    let configmap = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {config}\n  labels:\n    {labels}\ndata:\n  \
         SCALING_PHASE: {key}\n  DB_HOST: \"{db_host}\"\n  DB_PORT: \"{db_port}\"\n  DB_MAX_CONNECTIONS: \"{pool}\"\n  \
         REDIS_MAX_CONNECTIONS: \"{redis}\"\n  WEBSOCKET_MAX_CONNECTIONS: \"{ws}\"\n",
        key = yaml::quoted(&p.key),
        pool = p.database.pool_size,
        redis = spec.redis_max_clients(),
        ws = p.websocket_connections,
    );
    let deployment = format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    {labels}
spec:
  replicas: {min}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {labels_pod}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: registry.example.com/your-app:latest
          ports:
            - name: http
              containerPort: 8000
          envFrom:
            - configMapRef:
                name: {config}
            - secretRef:
                name: {secrets}
          resources:
            requests:
              cpu: {cpu_request_m}m
              memory: {mem_mib}Mi
            limits:
              cpu: {cpu_limit_m}m
              memory: {mem_mib}Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
"#,
        labels_pod = labels.replace("\n    ", "\n        "),
    );
    let service = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    {labels}\nspec:\n  \
         selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n"
    );
    let hpa = format!(
        r#"# Scales between the phase's {min} and {max} instances, holding CPU and memory at the phase's
# warning thresholds ({cpu} % and {mem} %) so the critical ones are never reached in steady state.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  labels:
    {labels}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: {min}
  maxReplicas: {max}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {cpu}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {mem}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
"#,
        cpu = pct(p.thresholds.cpu.warning()),
        mem = pct(p.thresholds.memory.warning()),
    );
    let pdb = format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n  labels:\n    {labels}\nspec:\n  \
         maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
    );
    let kustomization = format!(
        "# kubectl apply -k . (create the {note}-secrets Secret first: DATABASE_PASSWORD, REDIS_PASSWORD)\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: phaseplan\nresources:\n  \
         - namespace.yaml\n  - configmap.yaml\n  - deployment.yaml\n  - service.yaml\n  - hpa.yaml\n  - pdb.yaml\n",
        note = yaml::comment(&raw),
    );
    vec![
        ("configmap.yaml".to_owned(), configmap),
        ("deployment.yaml".to_owned(), deployment),
        ("hpa.yaml".to_owned(), hpa),
        ("kustomization.yaml".to_owned(), kustomization),
        ("namespace.yaml".to_owned(), namespace),
        ("pdb.yaml".to_owned(), pdb),
        ("service.yaml".to_owned(), service),
    ]
}

/// An integer percentage for the HPA (it takes whole numbers), rounded down.
fn pct(v: f64) -> u32 {
    // Thresholds are validated to 1–100.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let p = v.floor() as u32;
    p
}
