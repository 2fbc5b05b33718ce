using System.Globalization;
using System.Net;
using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Load;

/// <summary>Where SIP load calls go: the bridge's SIP address and the Request-URI their INVITEs carry.</summary>
public sealed record SipLoadTarget(IPEndPoint Bridge, string RequestUri)
{
    /// <summary>
    /// Reads <c>sip:[user@]HOST[:PORT]</c> (port 5060 when absent); the host must be an IP address
    /// (the load generator resolves no names). False with the reason otherwise.
    /// </summary>
    public static bool TryParse(string text, out SipLoadTarget? target, out string? error)
    {
        target = null;
        if (!SipUri.TryParse(text, out var uri, out error))
        {
            return false;
        }

        if (!string.Equals(uri!.Scheme, "sip", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}': the SIP leg carries sip: URIs over UDP, not {uri.Scheme}:";
            return false;
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            error = $"'{text}': the host must be an IP address";
            return false;
        }

        var port = uri.Port ?? 5060;
        target = new SipLoadTarget(new IPEndPoint(address, port), $"sip:{uri.User ?? "agent"}@{uri.Host}:{port.ToString(CultureInfo.InvariantCulture)}");
        error = null;
        return true;
    }

    public override string ToString() => RequestUri;
}
