namespace SkyServe.Providers.Aws.Ec2;

/// <summary>
/// EC2 instance states (codes 0, 16, 32, 48, 64, 80) as machine states. A stopping or stopped instance
/// serves nothing and still costs storage, so it counts as shutting down: it stays listed, and the
/// controller's garbage collection terminates it. Only terminated instances are gone.
/// </summary>
public static class Ec2InstanceStates
{
    /// <summary>Every state but terminated: the filter that lists live instances.</summary>
    public static readonly IReadOnlyCollection<string> Live = ["pending", "running", "shutting-down", "stopping", "stopped"];

    public static MachineState ToMachineState(string stateName) => stateName switch
    {
        "pending" => MachineState.Pending,
        "running" => MachineState.Running,
        "shutting-down" or "stopping" or "stopped" => MachineState.ShuttingDown,
        "terminated" => MachineState.Terminated,
        _ => throw new FormatException($"unknown EC2 instance state '{stateName}'"),
    };
}
