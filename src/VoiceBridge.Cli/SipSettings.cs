using System.CommandLine;
using System.Globalization;
using System.Net;
using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s SIP leg options: where SIP listens, the advertised address, the RTP port range, the
/// source allow-list, digest authentication of callers and registration to a trunk.
/// </summary>
internal sealed class SipSettings
{
    private readonly Option<string> _listen = new("--sip-listen")
    {
        Description = "SIP over UDP: HOST:PORT to listen on, or off [127.0.0.1:5060]",
        DefaultValueFactory = _ => "127.0.0.1:5060",
    };

    private readonly Option<string?> _advertise = new("--sip-advertise") { Description = "The address callers reach (Contact, Via, SDP c=) behind NAT or in Kubernetes [the listen address]" };

    private readonly Option<string> _rtpPorts = new("--rtp-ports") { Description = "RTP port range MIN-MAX (even ports for RTP, the odd one above for RTCP)", DefaultValueFactory = _ => "10000-20000" };

    private readonly Option<string[]> _allow = new("--sip-allow")
    {
        Description = "A source address or CIDR allowed to place calls (repeatable; a trunk's signalling addresses); required off loopback",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _auth = new("--sip-auth")
    {
        Description = $"USER:PASSWORD callers must answer digest challenges with (INVITE and other requests outside a dialog); prefer the {AuthVariable} environment variable, which ps does not show",
    };

    private readonly Option<string> _realm = new("--sip-realm") { Description = "The realm in our digest challenges", DefaultValueFactory = _ => "voicebridge" };

    private readonly Option<string?> _register = new("--sip-register")
    {
        Description = $"Register to a trunk as sip:user@trunk.example.com[:port] (UDP), refreshed at half the granted lifetime, removed on stop; credentials in {RegisterAuthVariable}=user:password",
    };

    private readonly Option<int> _registerExpires = new("--sip-register-expires") { Description = "Registration lifetime to ask for, in seconds", DefaultValueFactory = _ => 3600 };

    public const string AuthVariable = "VOICEBRIDGE_SIP_AUTH";
    public const string RegisterAuthVariable = "VOICEBRIDGE_SIP_REGISTER_AUTH";

    public void AddTo(Command command)
    {
        command.Options.Add(_listen);
        command.Options.Add(_advertise);
        command.Options.Add(_rtpPorts);
        command.Options.Add(_allow);
        command.Options.Add(_auth);
        command.Options.Add(_realm);
        command.Options.Add(_register);
        command.Options.Add(_registerExpires);
    }

    /// <summary>
    /// The SIP options, or null when SIP is off; problems go to <paramref name="errors"/>, each naming its option.
    /// Secrets come from <paramref name="environment"/> [the process environment] unless given as options.
    /// </summary>
    public SipOptions? Read(ParseResult parse, List<string> errors, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var listen = parse.GetValue(_listen)!;
        if (listen.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var options = new SipOptions();
        if (IPEndPoint.TryParse(listen, out var endpoint) && listen.Contains(':', StringComparison.Ordinal))
        {
            options.Listen = endpoint;
        }
        else
        {
            errors.Add($"--sip-listen '{listen}' is not HOST:PORT (an IP address and a port, e.g. 127.0.0.1:5070) or off");
        }

        if (parse.GetValue(_advertise) is { } advertise)
        {
            if (IPAddress.TryParse(advertise, out var address))
            {
                options.AdvertisedAddress = address;
            }
            else
            {
                errors.Add($"--sip-advertise '{advertise}' is not an IP address");
            }
        }

        var range = parse.GetValue(_rtpPorts)!.Split('-');
        if (range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min) && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            options.RtpPortMin = min;
            options.RtpPortMax = max;
        }
        else
        {
            errors.Add($"--rtp-ports '{parse.GetValue(_rtpPorts)}' is not a range MIN-MAX");
        }

        var allowed = new List<IPNetwork>();
        foreach (var source in parse.GetValue(_allow) ?? [])
        {
            if (IPNetwork.TryParse(source, out var network))
            {
                allowed.Add(network);
            }
            else if (IPAddress.TryParse(source, out var single))
            {
                allowed.Add(new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"--sip-allow '{source}' is not an IP address or CIDR network");
            }
        }

        options.AllowedSources = allowed;
        var auth = parse.GetValue(_auth) ?? environment(AuthVariable);
        if (!string.IsNullOrEmpty(auth))
        {
            if (SplitCredentials(auth) is { } credentials)
            {
                options.Digest = new SipDigestOptions { Realm = parse.GetValue(_realm)!, Username = credentials.User, Password = credentials.Password };
            }
            else
            {
                errors.Add($"--sip-auth / {AuthVariable} is not USER:PASSWORD");
            }
        }

        if (parse.GetValue(_register) is { } register)
        {
            var registration = new SipRegistrationOptions { AddressOfRecord = register, Expires = TimeSpan.FromSeconds(parse.GetValue(_registerExpires)) };
            if (environment(RegisterAuthVariable) is { Length: > 0 } registerAuth)
            {
                if (SplitCredentials(registerAuth) is { } credentials)
                {
                    registration.Username = credentials.User;
                    registration.Password = credentials.Password;
                }
                else
                {
                    errors.Add($"{RegisterAuthVariable} is not USER:PASSWORD");
                }
            }

            options.Registration = registration;
        }

        errors.AddRange(options.Validate(digestConfigured: options.Digest is not null));
        return options;
    }

    /// <summary>USER:PASSWORD split at the first colon (a password may hold colons); null when either part is empty.</summary>
    private static (string User, string Password)? SplitCredentials(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < text.Length - 1 ? (text[..colon], text[(colon + 1)..]) : null;
    }
}
