namespace VoiceBridge.Legs.Sip;

/// <summary>Registration to a trunk (RFC 3261 10): who we are at which registrar, the credentials, and timing.</summary>
public sealed class SipRegistrationOptions
{
    /// <summary>The address of record <c>sip:user@trunk.example.com[:port]</c>; the registrar is its host and port (default 5060, UDP).</summary>
    public string AddressOfRecord { get; set; } = "";

    /// <summary>The digest username [the address of record's user].</summary>
    public string? Username { get; set; }

    /// <summary>The digest password [none: a challenge is then a failure].</summary>
    public string? Password { get; set; }

    /// <summary>The registration lifetime asked for [3600 s]; refreshed at half of what the registrar grants.</summary>
    public TimeSpan Expires { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Wait before the first retry after a failure, doubled on each further failure [30 s].</summary>
    public TimeSpan RetryMin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between retries [10 min].</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long stopping waits for the registrar to confirm the unregistration [5 s].</summary>
    public TimeSpan UnregisterTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The parsed address of record (valid after <see cref="Validate"/> returned no errors).</summary>
    public SipUri Uri => SipUri.TryParse(AddressOfRecord, out var uri, out _) ? uri! : throw new InvalidOperationException($"Sip:Registration:AddressOfRecord {AddressOfRecord} is not a sip: URI");

    /// <summary>Every problem, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!SipUri.TryParse(AddressOfRecord, out var uri, out var error) || !uri!.IsSip || uri.Scheme != "sip" || string.IsNullOrEmpty(uri.User))
        {
            errors.Add($"{SipOptions.SectionName}:Registration:AddressOfRecord '{AddressOfRecord}' is not sip:user@host[:port] ({error ?? "needs the sip: scheme and a user"})");
        }
        else if (SipParameters.TryGet<string?>(uri.Parameters, "transport", out var transport) && !"udp".Equals(transport, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{SipOptions.SectionName}:Registration:AddressOfRecord: transport={transport} is not supported (UDP only)");
        }

        if (Expires < TimeSpan.FromSeconds(60) || Expires > TimeSpan.FromDays(1))
        {
            errors.Add($"{SipOptions.SectionName}:Registration:Expires {Expires.TotalSeconds:0} s is outside 60 s - 1 day");
        }

        if (RetryMin <= TimeSpan.Zero || RetryMax < RetryMin || UnregisterTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SipOptions.SectionName}:Registration:RetryMin/RetryMax/UnregisterTimeout must be positive with RetryMax >= RetryMin");
        }

        return errors;
    }
}
