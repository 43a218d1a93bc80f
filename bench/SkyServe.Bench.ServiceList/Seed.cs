using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Bench.ServiceList;

/// <summary>Services with a version (a spec of a few kB, as a real one) and replicas, written straight into the database.</summary>
internal static class Seed
{
    private static readonly ReplicaStatus[] Statuses =
    [
        ReplicaStatus.READY, ReplicaStatus.READY, ReplicaStatus.READY, ReplicaStatus.READY, ReplicaStatus.READY, ReplicaStatus.READY,
        ReplicaStatus.STARTING, ReplicaStatus.PROVISIONING, ReplicaStatus.PREEMPTED, ReplicaStatus.FAILED,
    ];

    public static async Task AddAsync(IServiceProvider controller, int services, int replicas)
    {
        var at = new DateTime(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);
        var specText = "service:\n  readiness_probe: /health\n  replicas: 10\nresources:\n  ports: 8080\n  use_spot: true\n" +
            string.Concat(Enumerable.Range(0, 60).Select(i => $"# padding line {i} of a spec as long as a real one\n"));
        var effective = $$"""{"service":{"replicas":{{replicas}}},"padding":"{{new string('x', 3000)}}"}""";
        const int batch = 100;
        for (var first = 0; first < services; first += batch)
        {
            await using var scope = controller.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var rows = Enumerable.Range(first, Math.Min(batch, services - first)).Select(i => new ServiceRecord
            {
                Name = $"svc-{i:0000}", Status = ServiceStatus.READY, CurrentVersion = 1, Endpoint = $"http://svc-{i:0000}.example:30581",
                CreatedAt = at, UpdatedAt = at,
                Versions =
                [
                    new ServiceVersionRecord
                    {
                        Version = 1, Mode = UpdateMode.Rolling, SpecText = specText, EffectiveSpec = effective, MinReplicas = replicas,
                        MaxReplicas = replicas, UseSpot = true, LoadBalancingPolicy = "least_load", ReplicaPort = 8080, ReadinessPath = "/health",
                        CreatedAt = at,
                    },
                ],
                Replicas = Enumerable.Range(1, replicas).Select(r => new ReplicaRecord
                {
                    ReplicaId = r, Version = 1, Status = Statuses[(r - 1) % Statuses.Length], IsSpot = r % 2 == 0, Cloud = "aws",
                    Region = "us-east-1", Zone = $"us-east-1{(char)('a' + r % 3)}", InstanceType = "g6.xlarge", Accelerator = "L4",
                    InstanceId = $"i-{i:0000}{r:00}", Endpoint = $"http://10.0.{i % 250}.{r}:8080", HourlyPrice = 0.35m,
                    LaunchToken = Guid.NewGuid(), CostToDate = 1.25m, CreatedAt = at, StatusChangedAt = at, ReadyAt = at,
                }).ToList(),
            }).ToList();
            db.Services.AddRange(rows);
            await db.SaveChangesAsync();
        }
    }
}
