namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// The rules that tie sections together, checked on the read spec: spot options need spot resources
/// (SkyPilot's validate_service_task), the load balancer must know the replica port, and a replica runs either
/// a <c>run:</c> command or the built-in engine.
/// </summary>
internal sealed class CrossSectionRules(SpecReadContext context)
{
    private const string PolicyPath = "service.replica_policy";

    public void Check(ServiceSpec spec)
    {
        CheckSpotOptions(spec);
        CheckReplicaPort(spec);
        if (spec.Model is not null && spec.Run is not null)
            context.Error("model", "model (the built-in engine) and run (an external engine) cannot both be set; use one of them");
        if (spec.Model is not null && spec.NumNodes > 1)
            context.Error("num_nodes",
                $"num_nodes: {spec.NumNodes} needs a run: command that spans the nodes (the built-in engine serves a model from one machine); use run: with a multi-node engine, or num_nodes: 1");
    }

    private void CheckSpotOptions(ServiceSpec spec)
    {
        if (spec.Resources.UseSpot)
            return;
        var policy = spec.Service.ReplicaPolicy;
        if (policy.SpotPlacer is { } placer)
            context.Error($"{PolicyPath}.spot_placer",
                $"spot_placer: {placer.ToSpecName()} only places spot replicas: set use_spot: true in resources");
        if (policy.DynamicOndemandFallback)
            context.Error($"{PolicyPath}.dynamic_ondemand_fallback",
                "dynamic_ondemand_fallback only applies to spot resources: set use_spot: true in resources");
        if (policy.BaseOndemandFallbackReplicas > 0)
            context.Error($"{PolicyPath}.base_ondemand_fallback_replicas",
                "base_ondemand_fallback_replicas only applies to spot resources: set use_spot: true in resources");
    }

    /// <summary>
    /// As SkyPilot: without service.ports, resources.ports must name exactly one port. The built-in engine
    /// (<c>model:</c>) may leave both out and listens on <see cref="SpecDefaults.ModelServingPort"/>.
    /// </summary>
    private void CheckReplicaPort(ServiceSpec spec)
    {
        if (spec.Service.Ports is not null)
            return;
        var portCount = spec.Resources.Ports.Sum(range => range.Count);
        if (portCount == 1 || (portCount == 0 && spec.Model is not null))
            return;
        var message = portCount == 0
            ? "the load balancer needs the replicas' port: set service.ports, or one port in resources.ports"
            : "resources.ports opens several ports: set service.ports to the one replicas serve on";
        context.Error(portCount == 0 ? "service" : "resources.ports", message);
    }
}
