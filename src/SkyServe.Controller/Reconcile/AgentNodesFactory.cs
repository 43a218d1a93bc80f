using System.Globalization;
using System.Text.Json;
using SkyServe.Contracts.Agent;
using SkyServe.Controller.Persistence;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// What the agent of each node of a replica is told of its place in it: its rank, the node count, and the SkyPilot
/// variables known at launch, as SkyPilot sets them for a serve replica (its cluster is <c>{service}-{replica id}</c>).
/// The node addresses come later, from the controller (<see cref="Contracts.Notices.AgentApi.Nodes"/>).
/// </summary>
public static class AgentNodesFactory
{
    /// <param name="gpusPerNode">The accelerator count of the replica's instance type; 0 without GPUs.</param>
    public static AgentNodes For(string serviceName, ReplicaRecord replica, int rank, int gpusPerNode)
    {
        var cluster = $"{serviceName}-{replica.ReplicaId.ToString(CultureInfo.InvariantCulture)}";
        var gpus = Text(gpusPerNode);
        return new AgentNodes
        {
            Rank = rank,
            Count = replica.NodeCount,
            Variables = new Dictionary<string, string>
            {
                [SkyPilotVariables.NodeRank] = Text(rank),
                [SkyPilotVariables.SetupNodeRank] = Text(rank),
                [SkyPilotVariables.NumNodes] = Text(replica.NodeCount),
                [SkyPilotVariables.NumGpusPerNode] = gpus,
                [SkyPilotVariables.SetupNumGpusPerNode] = gpus,
                [SkyPilotVariables.ServeReplicaId] = Text(replica.ReplicaId),
                // The same on every node of the replica, and new for each replica (SkyPilot's: sky-{time}_{cluster}_{job id}).
                [SkyPilotVariables.TaskId] = $"sky-{replica.CreatedAt.ToString("yyyy-MM-dd-HH-mm-ss-ffffff", CultureInfo.InvariantCulture)}_{cluster}_1",
                [SkyPilotVariables.ClusterInfo] = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["cluster_name"] = cluster,
                    ["cloud"] = CloudName(replica.Cloud),
                    ["region"] = replica.Region,
                    ["zone"] = replica.Zone,
                }),
            },
        };
    }

    /// <summary>SkyPilot's spelling of a cloud (AWS, GCP, Azure); others as they are.</summary>
    private static string CloudName(string cloud) => cloud switch
    {
        "aws" => "AWS",
        "gcp" => "GCP",
        "azure" => "Azure",
        _ => cloud,
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
