using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Core.Catalog;
using SkyServe.Core.Domain;
using SkyServe.Core.Placement;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>
/// What the system does with a spec, read from the code that acts on it (not from the spec's fields): where replicas may
/// run (placement over the shipped catalog), what the planner launches in a few fixed situations, what each replica's
/// agent is told and fetches, how probe results move a replica, what the load balancers route by, which local files the
/// CLI uploads. Two specs with equal behaviour are indistinguishable to users.
/// </summary>
internal static class SpecBehaviour
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private static readonly Lazy<IReadOnlyList<CloudOffering>> Offerings = new(LoadOfferings);

    public static JsonObject Of(ServiceSpec spec, ProbeCapture probes)
    {
        var (options, placementError) = PlacementOptions.For(spec, Offerings.Value);
        var version = ServiceVersionFactory.Create(1, 1, UpdateMode.Rolling, SpecSubmission.Of("(text)"), spec, Now.UtcDateTime);
        return new JsonObject
        {
            ["service_name_when_up_gives_none"] = spec.Name,
            ["placement"] = new JsonArray([.. options.Select(o => (JsonNode)$"{o.Location} {o.InstanceType} {o.Accelerator} od={o.OnDemandPrice} spot={o.SpotPrice}")]),
            ["placement_error"] = placementError,
            ["plans"] = new JsonArray([.. Situations(spec, options).Select(situation => Describe(ServicePlanner.Plan(situation)))]),
            ["agent"] = JsonSerializer.SerializeToNode(AgentSettingsFactory.For(spec, new ReconcileOptions()), Json),
            ["task_files"] = JsonSerializer.SerializeToNode(AgentTaskFilesFactory.For(spec, UploadsFor(spec)), Json),
            ["worker_ranks"] = new JsonArray([.. NodeGang.WorkerRanks(spec.NumNodes).Select(rank => (JsonNode)rank)]),
            ["routes"] = new JsonObject { ["policy"] = version.LoadBalancingPolicy, ["replica_port"] = spec.ReplicaPort, ["built_in_engine"] = spec.UsesBuiltInEngine },
            ["probe_request"] = probes.Probe(spec.Service.ReadinessProbe),
            ["starting_replica_failing_for_10_min"] = ProbeOutcome.Next(ReplicaStatus.STARTING, false, "refused", TimeSpan.FromMinutes(10),
                spec.Service.ReadinessProbe.InitialDelaySeconds, TimeSpan.FromMinutes(1))?.Status.ToString(),
            ["uploaded_by_the_cli"] = new JsonArray([.. SpecLocalFiles.For(spec).Select(f => (JsonNode)$"{f.Kind} {f.Path} {f.Target}")]),
            ["machine"] = MachineBehaviour.Of(spec, options, [.. Offerings.Value.Select(o => o.Instance).Distinct()]),
        };
    }

    /// <summary>Fixed situations in which every replica-policy and market key matters to the plan.</summary>
    private static IEnumerable<ServiceSnapshot> Situations(ServiceSpec spec, IReadOnlyList<PlacementOption> options)
    {
        var min = spec.Service.ReplicaPolicy.MinReplicas;
        ServiceSnapshot At(double rps, AutoscalerState autoscaler, IReadOnlyList<PlacementOption> offered, IReadOnlyList<LocationState>? locations = null) =>
            new(spec, 1, UpdateMode.Rolling, [], locations ?? [], offered, rps, autoscaler, Now);
        yield return At(0, AutoscalerState.Initial(min), options);
        // Load above one replica's target for 200 s: upscale_delay_seconds decides whether the target rose yet.
        yield return At(40, new AutoscalerState(Math.Max(min, 1), 8, Now - TimeSpan.FromSeconds(200)), options);
        // Far more load than max_replicas can serve.
        yield return At(10_000, new AutoscalerState(Math.Max(min, 1), 1000, Now - TimeSpan.FromHours(1)), options);
        // No load for 10 minutes: downscale_delay_seconds decides whether the target fell yet.
        yield return At(0, new AutoscalerState(4, min, Now - TimeSpan.FromMinutes(10)), options);
        // No spot capacity anywhere: the fallback keys decide what launches instead.
        yield return At(0, AutoscalerState.Initial(Math.Max(min, 1)), [.. options.Select(o => o with { SpotAvailable = false })]);
        // The cheapest spot zone was preempted a minute ago: the spot placer decides where to go.
        var cheapest = options.Where(o => o.HasSpot).OrderBy(o => o.SpotPrice).FirstOrDefault();
        if (cheapest is not null)
            yield return At(0, AutoscalerState.Initial(Math.Max(min, 1)), options,
                [new LocationState(cheapest.Location, LocationStatus.Preempted, 1, Now - TimeSpan.FromMinutes(1))]);
    }

    private static JsonObject Describe(ServicePlan plan) => new()
    {
        ["target"] = plan.TargetReplicas,
        ["spot"] = plan.SpotTarget,
        ["on_demand"] = plan.OnDemandTarget,
        ["autoscaler"] = $"{plan.Autoscaler.Target}/{plan.Autoscaler.PendingTarget}",
        ["launches"] = new JsonArray([.. plan.Launches.Select(l => JsonSerializer.Serialize(l, Json)).Order(StringComparer.Ordinal).Select(l => (JsonNode)l)]),
    };

    /// <summary>Every local source uploaded, under a digest of its own, as the CLI would.</summary>
    private static SpecUploads UploadsFor(ServiceSpec spec) => new()
    {
        Workdir = spec.Workdir?.LocalPath is { } path ? "sha256:workdir-" + path : null,
        FileMounts = spec.FileMounts.Where(m => m.SourceKind == FileMountSourceKind.Local)
            .ToDictionary(m => m.Target, m => "sha256:mount-" + m.Source),
    };

    private static IReadOnlyList<CloudOffering> LoadOfferings()
    {
        var catalog = CatalogLoader.LoadDirectory(Path.Combine(ConfigLocator.Find(null), "catalog"));
        return [.. catalog.Clouds.Offerings.SelectMany(o => o.HasSpot
            ? new[] { new CloudOffering(o, false, o.OnDemandPerHour, true), new CloudOffering(o, true, o.SpotPerHour!.Value, true) }
            : [new CloudOffering(o, false, o.OnDemandPerHour, true)])];
    }
}
