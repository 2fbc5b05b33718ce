using System.Net;
using VoiceBridge.Hosting;

namespace VoiceBridge.Security;

/// <summary>What a node exposes, as <c>serve</c> was configured, for <see cref="ExposureCheck.Warnings"/>.</summary>
public sealed record NodeExposure
{
    /// <summary>Where Kestrel listens, separated by <c>;</c> (as <c>--urls</c>).</summary>
    public required string Urls { get; init; }

    public bool TwilioSignatures { get; init; }

    /// <summary>Null when the WHIP endpoint is off; else whether it needs a token.</summary>
    public bool? WhipAuthenticated { get; init; }

    /// <summary>Null when SIP is off; else the address it listens on.</summary>
    public IPAddress? SipListen { get; init; }

    public bool SipGuarded { get; init; }

    public int MaxCalls { get; init; }
}

/// <summary>
/// The start-up check of a node reachable from other machines: each open door named in one line,
/// with the option that closes it. Loopback-only nodes (development, a sidecar) get none: the
/// checks there would be noise.
/// </summary>
public static class ExposureCheck
{
    /// <summary>The warnings for <paramref name="node"/>; empty when it listens on loopback alone or is closed.</summary>
    public static IReadOnlyList<string> Warnings(NodeExposure node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var warnings = new List<string>();
        var remote = ListenUrls.Split(node.Urls).Where(u => !ListenUrls.IsLoopback(u)).ToList();
        if (remote.Count > 0)
        {
            string where = string.Join(", ", remote);
            if (!node.TwilioSignatures)
            {
                warnings.Add($"listening on {where} without TWILIO_AUTH_TOKEN: anyone can post to /twilio/voice and open /twilio/media calls on your provider account (set TWILIO_AUTH_TOKEN and --public-base-url)");
            }

            if (node.WhipAuthenticated == false)
            {
                warnings.Add($"listening on {where} with WHIP open: anyone can start browser calls (set VOICEBRIDGE_WHIP_TOKEN or --jwt-key, or --whip-off)");
            }

            if (node.MaxCalls == 0)
            {
                warnings.Add($"listening on {where} with no --max-calls: a flood of calls can take the node's CPU and your provider quota");
            }
        }

        if (node.SipListen is { } sip && !IPAddress.IsLoopback(sip) && !node.SipGuarded)
        {
            warnings.Add($"SIP listens on {sip} with no allow-list or digest: anyone can place calls (--sip-allow, --sip-auth)");
        }

        return warnings;
    }
}
