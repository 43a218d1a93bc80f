using Amazon.EC2;
using Amazon.EC2.Model;
using SkyServe.Core.Spec;

namespace SkyServe.Providers.Aws;

/// <summary>
/// The root EBS volume of a launch, as SkyPilot maps <c>disk_tier</c> on AWS: low is magnetic (standard), medium and
/// high are gp3 with 3500 and 7000 IOPS and a sixteenth of that in MB/s, ultra and best are io2 with 20000 IOPS.
/// Without a tier: gp3 at its baseline (3000 IOPS, 125 MB/s).
/// </summary>
internal static class AwsRootVolume
{
    /// <summary>EBS allows gp3 and io2 at most 500 provisioned IOPS per GiB.</summary>
    private const int MaxIopsPerGib = 500;
    private const int Gp3BaselineIops = 3000;

    public static BlockDeviceMapping For(MachineSettings machine, string deviceName)
    {
        var ebs = new EbsBlockDevice { VolumeSize = machine.DiskSizeGb, DeleteOnTermination = true };
        switch (machine.DiskTier)
        {
            case null:
                ebs.VolumeType = VolumeType.Gp3;
                break;
            case "low":
                ebs.VolumeType = VolumeType.Standard;
                break;
            case "medium" or "high":
                ebs.VolumeType = VolumeType.Gp3;
                var iops = Math.Min(machine.DiskTier == "medium" ? 3500 : 7000, machine.DiskSizeGb * MaxIopsPerGib);
                if (iops >= Gp3BaselineIops) // a disk too small for more than the baseline keeps it
                {
                    ebs.Iops = iops;
                    ebs.Throughput = iops / 16;
                }
                break;
            case "ultra" or "best":
                ebs.VolumeType = VolumeType.Io2;
                ebs.Iops = Math.Min(20000, machine.DiskSizeGb * MaxIopsPerGib);
                break;
            default:
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"disk_tier '{machine.DiskTier}' is not one of low, medium, high, ultra, best");
        }
        return new BlockDeviceMapping { DeviceName = deviceName, Ebs = ebs };
    }
}
