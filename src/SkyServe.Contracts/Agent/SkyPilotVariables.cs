namespace SkyServe.Contracts.Agent;

/// <summary>
/// The environment variables SkyPilot gives a task's <c>setup</c> and <c>run</c> on every node, which SkyServe gives
/// them too, with the same names and formats: the controller sets those it knows at launch, the agent the node
/// addresses once every node has one. Both sets are given to both commands (SkyPilot gives the SETUP_ ones to setup only).
/// </summary>
public static class SkyPilotVariables
{
    /// <summary>This node's rank: 0 on the head, 1..N-1 on the workers.</summary>
    public const string NodeRank = "SKYPILOT_NODE_RANK";
    /// <summary>The IP addresses of the replica's nodes by rank, head first, one a line.</summary>
    public const string NodeIps = "SKYPILOT_NODE_IPS";
    public const string NumNodes = "SKYPILOT_NUM_NODES";
    /// <summary>The accelerator count of the offering each node runs on; 0 without GPUs.</summary>
    public const string NumGpusPerNode = "SKYPILOT_NUM_GPUS_PER_NODE";
    public const string SetupNodeRank = "SKYPILOT_SETUP_NODE_RANK";
    public const string SetupNodeIps = "SKYPILOT_SETUP_NODE_IPS";
    public const string SetupNumGpusPerNode = "SKYPILOT_SETUP_NUM_GPUS_PER_NODE";
    /// <summary>The replica's id within its service, as <c>skyserve replicas</c> shows it.</summary>
    public const string ServeReplicaId = "SKYPILOT_SERVE_REPLICA_ID";
    /// <summary>sky-{launch time}_{cluster name}_{job id}: the same on every node, new for every replica.</summary>
    public const string TaskId = "SKYPILOT_TASK_ID";
    /// <summary>JSON: <c>{"cluster_name", "cloud", "region", "zone"}</c>.</summary>
    public const string ClusterInfo = "SKYPILOT_CLUSTER_INFO";
}
