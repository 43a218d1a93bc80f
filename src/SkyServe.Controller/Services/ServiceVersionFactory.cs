using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>Turns a parsed spec into a version row: the text as written, the effective JSON, the queryable columns.</summary>
public static class ServiceVersionFactory
{
    public static ServiceVersionRecord Create(long serviceId, int version, UpdateMode mode, SpecSubmission submission, ServiceSpec spec, DateTime now)
    {
        var policy = spec.Service.ReplicaPolicy;
        return new ServiceVersionRecord
        {
            ServiceId = serviceId,
            Version = version,
            Mode = mode,
            SpecText = submission.SpecText,
            Inputs = SpecSubmission.FormatInputs(submission.Inputs),
            Uploads = SpecUploads.Format(submission.Uploads),
            // Secret values stay out of the shown form even at rest; replicas get them from the text and inputs.
            EffectiveSpec = EffectiveSpecJson.Write(SpecSecrets.Redact(EffectiveSpecJson.ToJsonObject(spec), showEnvs: true)!, indented: false),
            MinReplicas = policy.MinReplicas,
            MaxReplicas = policy.MaxReplicas,
            UseSpot = spec.Resources.UseSpot,
            SpotPlacer = policy.SpotPlacer?.ToSpecName(),
            LoadBalancingPolicy = spec.Service.LoadBalancingPolicy.ToSpecName(),
            ReplicaPort = spec.Service.Ports,
            ReadinessPath = spec.Service.ReadinessProbe.Path,
            CreatedAt = now,
        };
    }
}
