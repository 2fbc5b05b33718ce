using System.Net;

namespace VoiceBridge.Legs.Sip;

/// <summary>SIP leg settings, bound from the <c>Sip</c> configuration section and <c>serve</c>'s options.</summary>
public sealed class SipOptions
{
    public const string SectionName = "Sip";

    /// <summary>Where SIP over UDP listens [127.0.0.1:5060].</summary>
    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, 5060);

    /// <summary>
    /// The address put in Contact, Via and the SDP <c>c=</c> line when callers reach us through NAT or a
    /// Kubernetes service [the listen address].
    /// </summary>
    public IPAddress? AdvertisedAddress { get; set; }

    /// <summary>First port of the RTP range (even; RTCP uses the odd port above each RTP port) [10000].</summary>
    public int RtpPortMin { get; set; } = 10000;

    /// <summary>Last port of the RTP range [20000].</summary>
    public int RtpPortMax { get; set; } = 20000;

    /// <summary>Sources allowed to place calls (a trunk's signalling addresses, CIDR or single addresses); empty allows any.</summary>
    public IReadOnlyList<IPNetwork> AllowedSources { get; set; } = [];

    /// <summary>Retransmission timer T1 (RFC 3261 17.1.1.1) [500 ms].</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Retransmission cap T2 [4 s].</summary>
    public TimeSpan T2 { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>How long a call may ring before we answer it (180 Ringing is sent first) [0: answer at once].</summary>
    public TimeSpan RingFor { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// No RTP from the caller for this long ends the call (the caller's phone vanished without a BYE)
    /// [60 s; 0 turns it off]. A call on hold (caller sendonly/inactive) is exempt.
    /// </summary>
    public TimeSpan RtpTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Digest credentials callers must present on INVITE and other requests outside a dialog [none: no challenge].</summary>
    public SipDigestOptions? Digest { get; set; }

    /// <summary>Registration to a trunk's registrar, so that it routes our number's calls here [none].</summary>
    public SipRegistrationOptions? Registration { get; set; }

    /// <summary>
    /// Requests a second one source may send, retransmissions aside (<c>--sip-rate</c>); over it a request
    /// gets 503 with Retry-After [0: off; <c>serve</c> sets 50]. A trunk's steady rate is far below 50.
    /// </summary>
    public double RequestsPerSecondPerSource { get; set; }

    /// <summary>Requests one source may send at once before <see cref="RequestsPerSecondPerSource"/> applies [100].</summary>
    public int RequestBurstPerSource { get; set; } = 100;

    /// <summary>The address in Contact/Via/SDP: the advertised one, else the listen address.</summary>
    public IPAddress PublicAddress => AdvertisedAddress ?? Listen.Address;

    /// <summary>
    /// Every configuration problem, each naming its key; empty when the options are usable.
    /// <paramref name="digestConfigured"/> (or <see cref="Digest"/>) counts as the guard a non-loopback listener needs.
    /// </summary>
    public IReadOnlyList<string> Validate(bool digestConfigured)
    {
        var errors = new List<string>();
        if (RtpPortMin < 1024 || RtpPortMax > 65534 || RtpPortMin > RtpPortMax - 1)
        {
            errors.Add($"{SectionName}:RtpPorts {RtpPortMin}-{RtpPortMax} is not a range within 1024-65535 holding at least one RTP/RTCP port pair");
        }

        if (IPAddress.Any.Equals(PublicAddress) || IPAddress.IPv6Any.Equals(PublicAddress))
        {
            errors.Add($"{SectionName}:AdvertisedAddress is required when listening on {Listen.Address}: Contact and SDP need an address callers can reach");
        }

        if (!IPAddress.IsLoopback(Listen.Address) && AllowedSources.Count == 0 && !digestConfigured && Digest is null)
        {
            errors.Add($"{SectionName}: listening on {Listen} (not loopback) needs a source allow-list (--sip-allow) or digest authentication: an open SIP server takes calls from anyone, on your provider bill");
        }

        if (T1 <= TimeSpan.Zero || T2 < T1)
        {
            errors.Add($"{SectionName}:T1/T2 must be positive with T2 >= T1");
        }

        if (Digest is { } digest && (digest.Username.Length == 0 || digest.Password.Length == 0 || digest.Realm.Length == 0 || digest.NonceLifetime <= TimeSpan.Zero))
        {
            errors.Add($"{SectionName}:Digest needs a username, a password, a realm and a positive nonce lifetime");
        }

        if (RequestsPerSecondPerSource < 0 || double.IsNaN(RequestsPerSecondPerSource) || (RequestsPerSecondPerSource > 0 && RequestBurstPerSource < 1))
        {
            errors.Add($"{SectionName}:{nameof(RequestsPerSecondPerSource)} {RequestsPerSecondPerSource} must be 0 (off) or positive, with {nameof(RequestBurstPerSource)} at least 1");
        }

        if (Registration is { } registration)
        {
            errors.AddRange(registration.Validate());
        }

        return errors;
    }

    /// <summary>True when <paramref name="source"/> may place calls.</summary>
    public bool IsAllowed(IPAddress source) =>
        AllowedSources.Count == 0 || AllowedSources.Any(n => n.Contains(source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source));
}
