namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>An EBS volume a RunInstances block device mapping asked for, as EC2 would create it.</summary>
public sealed record EmulatedVolume(string DeviceName, int SizeGiB, string VolumeType, int? Iops, int? Throughput, bool DeleteOnTermination)
{
    /// <summary>
    /// The mappings of a RunInstances request (<c>BlockDeviceMapping.N.Ebs.*</c>), checked as EC2 checks them: a known
    /// volume type, 1-16384 GiB, IOPS only for gp3 (3000-16000), io1 and io2 (100-64000, at most 500 per GiB for gp3 and
    /// io2, and required for io1/io2), throughput only for gp3 (125-1000 MiB/s, at most a quarter of the IOPS).
    /// </summary>
    public static IReadOnlyList<EmulatedVolume> Parse(QueryForm form)
    {
        var volumes = new List<EmulatedVolume>();
        foreach (var n in form.Indexes("BlockDeviceMapping"))
        {
            var prefix = $"BlockDeviceMapping.{n}";
            var device = form.Required($"{prefix}.DeviceName");
            var type = form[$"{prefix}.Ebs.VolumeType"] ?? "gp2";
            if (type is not ("standard" or "gp2" or "gp3" or "io1" or "io2" or "st1" or "sc1"))
                throw new Ec2Fault("InvalidParameterValue", $"Value ({type}) for parameter volumeType is invalid. Valid values: standard, io1, io2, gp2, sc1, st1, gp3.");
            var size = form.Int($"{prefix}.Ebs.VolumeSize") ?? 8;
            if (size is < 1 or > 16384)
                throw new Ec2Fault("InvalidParameterValue", $"Volume of size {size}GB is outside the allowed range of 1-16384GB.");
            var iops = form.Int($"{prefix}.Ebs.Iops");
            var throughput = form.Int($"{prefix}.Ebs.Throughput");
            if (iops is not null && type is not ("gp3" or "io1" or "io2"))
                throw new Ec2Fault("InvalidParameterCombination", $"The parameter iops is not supported for {type} volumes.");
            if (iops is null && type is "io1" or "io2")
                throw new Ec2Fault("InvalidParameterCombination", $"The parameter iops must be specified for {type} volumes.");
            if (iops is { } asked && (type == "gp3" ? asked is < 3000 or > 16000 : asked is < 100 or > 64000))
                throw new Ec2Fault("InvalidParameterValue", $"Volume iops of {asked} is outside the allowed range for {type}.");
            if (iops is { } perGib && type is "gp3" or "io2" && perGib > size * 500)
                throw new Ec2Fault("InvalidParameterValue", $"Iops to volume size ratio of {perGib / (double)size} is too high; maximum is 500.");
            if (throughput is not null && type != "gp3")
                throw new Ec2Fault("InvalidParameterCombination", $"The parameter throughput is not supported for {type} volumes.");
            if (throughput is { } mibs && (mibs is < 125 or > 1000 || mibs > (iops ?? 3000) / 4))
                throw new Ec2Fault("InvalidParameterValue", $"Throughput of {mibs} MiB/s is outside the allowed range for gp3 with {iops ?? 3000} IOPS.");
            var deleteOnTermination = form[$"{prefix}.Ebs.DeleteOnTermination"] is not "false";
            volumes.Add(new EmulatedVolume(device, size, type, iops, throughput, deleteOnTermination));
        }
        return volumes;
    }
}
