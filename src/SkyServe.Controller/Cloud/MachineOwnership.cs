namespace SkyServe.Controller.Cloud;

/// <summary>The value of the managed-by tag on every machine this control plane launches; the garbage collector touches nothing else.</summary>
public static class MachineOwnership
{
    public const string ManagedBy = "skyserve";
}
