# awsenv's PowerShell integration (Windows PowerShell 5.1 and PowerShell 7).
# Load it from your profile ($PROFILE):
#
#     Invoke-Expression (& { (awsenv init powershell | Out-String) })
#
# `awsenv init powershell` prints this file with a placeholder replaced by
# the absolute path of the awsenv binary, quoted for PowerShell.
#
# It defines:
#
#   awsenv          `awsenv use PROFILE` and `awsenv unset` change this
#                   session, no Invoke-Expression needed; a failing `use`
#                   changes nothing and leaves awsenv's exit status in
#                   $LASTEXITCODE. Other subcommands run the binary as they
#                   are.
#   awsenv_prompt   returns "prod 42m", "prod 3h05m", "prod expired", or ""
#                   when no awsenv profile is active, without starting a
#                   process. In your prompt function, e.g.
#
#                       function prompt {
#                           $aws = awsenv_prompt
#                           if ($aws) { $aws = "[$aws] " }
#                           "$aws" + "PS $($executionContext.SessionState.Path.CurrentLocation)> "
#                       }
#
# AWSENV_NOW (epoch seconds), when set, replaces the clock (for tests).
# Cmdlets are called by their module-qualified names so that aliases and
# functions of the same name cannot hijack them.

function global:awsenv {
    $awsenvSub = if ($args.Count -gt 0) { [string]$args[0] } else { '' }
    $awsenvHelp = $false
    foreach ($awsenvArg in $args) {
        if ('-h', '-help', '--help' -contains [string]$awsenvArg) { $awsenvHelp = $true }
    }
    if (($awsenvSub -ne 'use' -and $awsenvSub -ne 'unset') -or $awsenvHelp) {
        & __AWSENV_EXE__ @args
        return
    }
    $awsenvRest = @($args | Microsoft.PowerShell.Utility\Select-Object -Skip 1)
    $awsenvOut = & __AWSENV_EXE__ $awsenvSub --shell powershell @awsenvRest
    $awsenvStatus = $LASTEXITCODE
    if ($awsenvStatus -eq 0 -and $null -ne $awsenvOut) {
        Microsoft.PowerShell.Utility\Invoke-Expression (@($awsenvOut) -join "`n")
    }
    $global:LASTEXITCODE = $awsenvStatus
}

function global:awsenv_prompt {
    $awsenvProfile = [string]$Env:AWSENV_PROFILE
    if ($awsenvProfile -eq '') { return '' }
    $awsenvExpires = [string]$Env:AWSENV_EXPIRES_AT
    if ($awsenvExpires -notmatch '^[0-9]{1,18}$') { return $awsenvProfile }
    $awsenvNow = [string]$Env:AWSENV_NOW
    if ($awsenvNow -eq '') {
        $awsenvNow = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    } elseif ($awsenvNow -notmatch '^[0-9]{1,18}$') {
        return $awsenvProfile
    }
    $awsenvLeft = [long]$awsenvExpires - [long]$awsenvNow
    if ($awsenvLeft -le 0) { return "$awsenvProfile expired" }
    $awsenvMinutes = [long][Math]::Floor($awsenvLeft / 60)
    if ($awsenvMinutes -lt 60) { return "$awsenvProfile ${awsenvMinutes}m" }
    return '{0} {1}h{2:D2}m' -f $awsenvProfile, [long][Math]::Floor($awsenvMinutes / 60), [long]($awsenvMinutes % 60)
}
