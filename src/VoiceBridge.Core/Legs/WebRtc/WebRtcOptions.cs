using System.Net;
using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>Browser leg settings (bound from the <c>WebRtc</c> configuration section): where media sockets bind and what the answer advertises.</summary>
public sealed class WebRtcOptions
{
    public const string SectionName = "WebRtc";

    /// <summary>The address each session's UDP socket binds to. Default loopback.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The address in the answer's host candidate: what the browser can reach. Default: <see cref="BindAddress"/> (required when that is unspecified).</summary>
    public IPAddress? AdvertisedAddress { get; set; }

    /// <summary>The lowest UDP port a session takes; 0 (with <see cref="PortMax"/> 0) lets the system pick any free port.</summary>
    public int PortMin { get; set; }

    /// <summary>The highest UDP port a session takes.</summary>
    public int PortMax { get; set; }

    /// <summary>The codec when the browser offers both Opus and PCMU. Default Opus.</summary>
    public WebRtcCodecPreference Codec { get; set; } = WebRtcCodecPreference.Opus;

    /// <summary>How long a session may take from the answer to a nominated ICE pair and a finished DTLS handshake; then it is dropped. Default 15 s.</summary>
    public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>No consent check from the browser for this long ends the call (RFC 7675). Default 30 s.</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// No inbound RTP for this long ends the call; zero, the default, never does. A browser that stops
    /// sending (a mute by <c>replaceTrack(null)</c>, a microphone unplugged) is still there as long as
    /// its consent checks come, and one that left is ended by <see cref="ConsentTimeout"/>.
    /// </summary>
    public TimeSpan RtpTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Sessions at once; a further offer is refused (503). Default 100.</summary>
    public int MaxSessions { get; set; } = 100;

    /// <summary>The inbound jitter buffer's settings.</summary>
    public JitterBufferOptions Jitter { get; set; } = new();

    /// <summary>The address the answer advertises.</summary>
    public IPAddress PublicAddress => AdvertisedAddress ?? BindAddress;

    /// <summary>Every configuration problem, each naming its key; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (PublicAddress.Equals(IPAddress.Any) || PublicAddress.Equals(IPAddress.IPv6Any))
        {
            errors.Add($"{SectionName}:AdvertisedAddress is required when binding to {BindAddress}: the browser needs an address it can reach");
        }

        if (!(PortMin == 0 && PortMax == 0) && (PortMin < 1024 || PortMax > 65535 || PortMin > PortMax))
        {
            errors.Add($"{SectionName}:Ports {PortMin}-{PortMax} is not a range within 1024-65535 (or 0-0 for any free port)");
        }

        if (SetupTimeout <= TimeSpan.Zero || ConsentTimeout <= TimeSpan.Zero || RtpTimeout < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}: SetupTimeout and ConsentTimeout must be positive, RtpTimeout not negative");
        }

        if (MaxSessions < 1)
        {
            errors.Add($"{SectionName}:MaxSessions {MaxSessions} must be at least 1");
        }

        return errors;
    }
}
