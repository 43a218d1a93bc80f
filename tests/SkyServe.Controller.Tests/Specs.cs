namespace SkyServe.Controller.Tests;

/// <summary>Small specs the tests submit.</summary>
internal static class Specs
{
    public const string Minimal = """
        service:
          readiness_probe: /health
          replicas: 2
        resources:
          cpus: 2
          ports: 8080
        run: python -m http.server 8080
        """;

    public const string Autoscaled = """
        service:
          readiness_probe:
            path: /v1/models
            initial_delay_seconds: 60
          replica_policy:
            min_replicas: 1
            max_replicas: 3
            target_qps_per_replica: 2
          ports: 8080
        resources:
          use_spot: true
        run: python -m http.server 8080
        """;

    public static string Named(string name, string spec = Minimal) => $"name: {name}\n{spec}";
}
