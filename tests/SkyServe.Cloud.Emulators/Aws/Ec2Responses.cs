using System.Globalization;
using System.Xml.Linq;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>EC2's XML answers (API version 2016-11-15), element by element as EC2 writes them.</summary>
public static class Ec2Responses
{
    public const string Version = "2016-11-15";
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement E(string name, params object?[] content) => new(Ns + name, content.Where(c => c is not null));

    public static XElement Set(string name, IEnumerable<XElement> items) => E(name, items.Cast<object>().ToArray());

    public static XElement Document(string action, string requestId, params object?[] content) =>
        E($"{action}Response", [E("requestId", requestId), .. content]);

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>EC2's error envelope: no namespace, RequestID with a capital D.</summary>
    public static XElement Error(string code, string message, string requestId) =>
        new("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
            new XElement("RequestID", requestId));

    public static XElement State(string name, string state) =>
        E(name, E("code", EmulatedInstance.StateCode(state)), E("name", state));

    public static XElement Instance(EmulatedInstance i, string accountId)
    {
        var terminated = i.State == "terminated";
        return E("item",
            E("instanceId", i.InstanceId),
            E("imageId", i.ImageId),
            State("instanceState", i.State),
            E("privateDnsName", terminated ? "" : $"ip-{i.PrivateIpAddress.Replace('.', '-')}.ec2.internal"),
            E("dnsName", ""),
            E("reason", i.Reason ?? ""),
            i.KeyName is null ? null : E("keyName", i.KeyName),
            E("amiLaunchIndex", 0),
            E("productCodes"),
            E("instanceType", i.InstanceType),
            E("launchTime", Time(i.LaunchTime)),
            E("placement", E("availabilityZone", i.Zone), E("groupName", ""), E("tenancy", "default")),
            E("monitoring", E("state", "disabled")),
            terminated || i.SubnetId is null ? null : E("subnetId", i.SubnetId),
            terminated ? null : E("vpcId", "vpc-0e5a1c2d3b4f56789"),
            terminated ? null : E("privateIpAddress", i.PrivateIpAddress),
            E("sourceDestCheck", "true"),
            Set("groupSet", i.SecurityGroupIds.Select(g => E("item", E("groupId", g), E("groupName", g)))),
            i.StateReasonCode is null ? null : E("stateReason", E("code", i.StateReasonCode), E("message", i.StateReasonMessage ?? "")),
            E("architecture", "x86_64"),
            E("rootDeviceType", "ebs"),
            E("rootDeviceName", "/dev/sda1"),
            E("blockDeviceMapping"),
            i.Spot ? E("instanceLifecycle", "spot") : null,
            i.SpotInstanceRequestId is null ? null : E("spotInstanceRequestId", i.SpotInstanceRequestId),
            E("virtualizationType", "hvm"),
            E("clientToken", i.ClientToken ?? ""),
            i.Tags.Count == 0 ? null : Set("tagSet", i.Tags.Select(t => E("item", E("key", t.Key), E("value", t.Value)))),
            E("hypervisor", "xen"),
            E("networkInterfaceSet"),
            i.IamInstanceProfile is null ? null : E("iamInstanceProfile",
                E("arn", i.IamInstanceProfile.StartsWith("arn:", StringComparison.Ordinal) ? i.IamInstanceProfile : $"arn:aws:iam::{accountId}:instance-profile/{i.IamInstanceProfile}"),
                E("id", "AIPA" + i.InstanceId[2..].ToUpperInvariant())),
            E("ebsOptimized", "false"),
            E("enaSupport", "true"),
            E("metadataOptions", E("state", "applied"), E("httpTokens", "required"), E("httpPutResponseHopLimit", 2), E("httpEndpoint", "enabled")));
    }

    public static XElement Reservation(string reservationId, string accountId, IEnumerable<EmulatedInstance> instances) =>
        E("item",
            E("reservationId", reservationId),
            E("ownerId", accountId),
            E("groupSet"),
            Set("instancesSet", instances.Select(i => Instance(i, accountId))));
}
