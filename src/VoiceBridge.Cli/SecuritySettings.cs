using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Security;
using VoiceBridge.Speech;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s security and caller-data options (docs/security.md): the secrets file, JWT bearer
/// for WHIP and the admin API, call and rate limits, retention of audit data, transcripts in logs.
/// </summary>
internal sealed partial class SecuritySettings
{
    private readonly Option<string?> _secrets = new("--secrets")
    {
        Description = "KEY=VALUE file of provider keys and tokens (OPENAI_API_KEY, TWILIO_AUTH_TOKEN, ...), refused if other users can read it; the environment wins over it",
    };

    private readonly Option<string?> _jwtKey = new("--jwt-key") { Description = "Accept JWT bearer tokens on WHIP and the admin API, signed with this key FILE: an HMAC secret (32+ bytes), an RSA/EC public key PEM, or the issuer's JSON Web Key Set (keys chosen by kid)" };

    private readonly Option<string?> _jwtIssuer = new("--jwt-issuer") { Description = "The iss a JWT must carry [not checked]" };

    private readonly Option<string?> _jwtAudience = new("--jwt-audience") { Description = "The aud a JWT must carry [not checked]" };

    private readonly Option<string?> _jwtAdminScope = new("--jwt-admin-scope") { Description = "A scope or role (scope, scp, roles claims) a JWT must carry for the admin API [none]" };

    private readonly Option<int> _maxCalls = new("--max-calls") { Description = "Most concurrent calls on this node; more get 503 [0: no limit]" };

    private readonly Option<int> _maxPerSource = new("--max-calls-per-source") { Description = "Most concurrent SIP or WHIP calls from one address; more get 486/429 [0: no limit]" };

    private readonly Option<double> _sipRate = new("--sip-rate") { Description = "SIP requests a second one source may send (burst: twice); more get 503 [50; 0: off]", DefaultValueFactory = _ => 50 };

    private readonly Option<double> _twilioRate = new("--twilio-message-rate")
    {
        Description = "Messages a second a Twilio media socket may send (50 is real time; burst: 20 s of it, a network stall's backlog); faster is closed 1008 [200; 0: off]",
        DefaultValueFactory = _ => 200,
    };

    private readonly Option<string[]> _trustedProxies = new("--trusted-proxy")
    {
        Description = "A reverse proxy in front of this node, an address or CIDR (repeatable): the caller's address is then its X-Forwarded-For, for --max-calls-per-source, logs and loopback checks [none: the connection's address]",
    };

    private readonly Option<int?> _retentionDays = new("--retention-days") { Description = "Delete audit events (caller numbers, shadow transcripts) older than DAYS, at start-up and daily [kept]" };

    private readonly Option<string?> _consent = new("--consent-prompt") { Description = "Words played to every caller before the agent listens, e.g. a recording notice (spoken by the local voice) [none]" };

    private readonly Option<bool> _logTranscripts = new("--log-transcripts") { Description = "Write what callers say to the logs (debug level) [redacted to its length]" };

    private IReadOnlyList<string> _secretNames = [];

    public JwtBearerValidator? Jwt { get; private set; }

    public string? AdminScope { get; private set; }

    public CallLimits Limits { get; private set; } = CallLimits.Unlimited;

    public double TwilioMessageRate { get; private set; }

    /// <summary>The reverse proxies whose <c>X-Forwarded-For</c> is believed (<c>--trusted-proxy</c>).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; private set; } = [];

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _secrets, _jwtKey, _jwtIssuer, _jwtAudience, _jwtAdminScope, _maxCalls, _maxPerSource, _sipRate, _twilioRate, _trustedProxies, _retentionDays, _logTranscripts, _consent })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Loads <c>--secrets</c> into this process's environment, before anything reads it; the problem
    /// (naming no value) or null.
    /// </summary>
    public string? LoadSecrets(ParseResult parse)
    {
        if (parse.GetValue(_secrets) is not { } path)
        {
            return null;
        }

        var pairs = SecretsFile.Read(path, out var error);
        if (pairs is null)
        {
            return error;
        }

        _secretNames = SecretsFile.Apply(pairs);
        return null;
    }

    /// <summary>Reads the JWT key and the limits; problems go to <paramref name="errors"/>, each naming its option.</summary>
    public void Read(ParseResult parse, List<string> errors, TimeProvider time)
    {
        TranscriptLogging.Enabled = parse.GetValue(_logTranscripts);
        AdminScope = parse.GetValue(_jwtAdminScope);
        var issuer = parse.GetValue(_jwtIssuer);
        var audience = parse.GetValue(_jwtAudience);
        if (parse.GetValue(_jwtKey) is { } keyFile)
        {
            try
            {
                Jwt = JwtBearerValidator.Create(File.ReadAllText(keyFile), issuer, audience, time, $"--jwt-key {keyFile}", out var error);
                if (error is not null)
                {
                    errors.Add(error);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"--jwt-key {keyFile}: cannot read it: {e.Message}");
            }
        }
        else if (issuer is not null || audience is not null || AdminScope is not null)
        {
            errors.Add("--jwt-issuer, --jwt-audience and --jwt-admin-scope need --jwt-key (the key that signs the tokens; keys are not fetched from the issuer)");
        }

        var maxCalls = parse.GetValue(_maxCalls);
        var perSource = parse.GetValue(_maxPerSource);
        if (maxCalls < 0 || perSource < 0)
        {
            errors.Add("--max-calls and --max-calls-per-source must be 0 (no limit) or more");
        }
        else
        {
            Limits = new CallLimits(maxCalls, perSource);
        }

        TwilioMessageRate = parse.GetValue(_twilioRate);
        if (TwilioMessageRate is < 0 or (> 0 and < 60))
        {
            errors.Add($"--twilio-message-rate {TwilioMessageRate}: 0 (off) or at least 60 (Twilio sends 50 media messages a second)");
        }

        TrustedProxies = ReadProxies(parse.GetValue(_trustedProxies) ?? [], errors);
        if (parse.GetValue(_retentionDays) is { } days && days is < 1 or > AuditRetention.MaxDays)
        {
            errors.Add($"--retention-days {days}: 1 to {AuditRetention.MaxDays}");
        }
    }

    /// <summary>
    /// With <c>--trusted-proxy</c>, the first middleware: a request from one of those proxies takes its
    /// caller's address from the last <c>X-Forwarded-For</c> entry (one proxy hop); from anywhere else
    /// the header is ignored, so nobody can choose the address the limits and checks see.
    /// </summary>
    public void UseProxies(WebApplication app)
    {
        if (TrustedProxies.Count == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in TrustedProxies)
        {
            options.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(options);
    }

    private static List<System.Net.IPNetwork> ReadProxies(string[] values, List<string> errors)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var value in values)
        {
            if (System.Net.IPNetwork.TryParse(value, out var network))
            {
                networks.Add(network);
            }
            else if (System.Net.IPAddress.TryParse(value, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"--trusted-proxy '{value}' is neither an address nor a CIDR (10.0.0.5, 10.0.0.0/8, ::1)");
            }
        }

        return networks;
    }

    /// <summary>The SIP request rate per source, on the SIP options (when SIP is on).</summary>
    public void ApplyTo(ParseResult parse, SipOptions? sip, List<string> errors)
    {
        var rate = parse.GetValue(_sipRate);
        if (rate < 0)
        {
            errors.Add($"--sip-rate {rate}: 0 (off) or more");
        }
        else if (sip is not null)
        {
            sip.RequestsPerSecondPerSource = rate;
            sip.RequestBurstPerSource = Math.Max(1, (int)Math.Ceiling(2 * rate));
        }
    }

    /// <summary>The consent prompt as mu-law audio in <paramref name="voice"/> (null without <c>--consent-prompt</c>).</summary>
    public byte[]? RenderConsent(ParseResult parse, ISpeechSynthesizer voice) =>
        parse.GetValue(_consent) is { Length: > 0 } text ? voice.SynthesizeMuLaw(text) : null;

    /// <summary>The retention purge, started (null without <c>--retention-days</c>).</summary>
    public AuditRetention? StartRetention(ParseResult parse, AuditStore store, TimeProvider time, ILoggerFactory loggers)
    {
        if (parse.GetValue(_retentionDays) is not { } days)
        {
            return null;
        }

        var retention = new AuditRetention(store, days, time, loggers.CreateLogger<AuditRetention>());
        retention.Start();
        return retention;
    }

    /// <summary>Logs what is on (names, never secrets) and each open door of a node reachable from other machines.</summary>
    public void Report(ILogger logger, NodeExposure node)
    {
        Log.Summary(logger, _secretNames.Count == 0 ? "none" : string.Join(", ", _secretNames), Jwt is null ? "off" : $"{Jwt.KeyKind}, issuer {Jwt.Issuer ?? "any"}, audience {Jwt.Audience ?? "any"}",
            Limits.MaxCalls == 0 ? "none" : Limits.MaxCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Limits.MaxCallsPerSource == 0 ? "none" : Limits.MaxCallsPerSource.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TranscriptLogging.Enabled ? "LOGGED" : "redacted");
        foreach (var warning in ExposureCheck.Warnings(node))
        {
            Log.Exposed(logger, warning);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Security: secrets from --secrets {Secrets}; JWT {Jwt}; max calls {MaxCalls}, per source {PerSource}; transcripts in logs {Transcripts}")]
        public static partial void Summary(ILogger logger, string secrets, string jwt, string maxCalls, string perSource, string transcripts);

        [LoggerMessage(2, LogLevel.Warning, "Security: {Warning}")]
        public static partial void Exposed(ILogger logger, string warning);
    }
}
