"""The ages of the life course that the model's rules turn on, in years, each named once."""

#: compulsory schooling: children aged [6, 16) hold or seek a school seat (义务教育, ages 6-15)
SCHOOL_START_AGE = 6
SCHOOL_END_AGE = 16
#: working age begins: insured work, residence permits and insurance accrual from 16
WORKING_AGE = 16
#: adults: household reference persons, collective residents and talent
ADULT_AGE = 18
#: retirement: insurance accrual stops, pension coverage counts 16-59, older heads move less
RETIREMENT_AGE = 60
#: fertile ages [15, 50): women aged 15-49
FERTILE_AGES = (15, 50)
#: the calendar year whose fertility ``behaviour.fertility.total_fertility_rate`` is (the 2020 census);
#: its yearly change applies to the years after it
FERTILITY_BASE_YEAR = 2020
#: old age: the censuses' oldest age group is 65 and over; within it the starting residents' ages decline with age
#: (``population.old_age_decline_per_year``)
OLD_AGE = 65
#: the oldest age drawn for the starting population, in whole years (no cap during a run)
MAX_AGE_YEARS = 100
#: preschool: children aged [3, 6) seek a kindergarten place (学前教育, ``kernel.services``)
PRESCHOOL_START_AGE = 3
#: high school after the compulsory ages: residents aged [16, 19) seek a high-school seat (高中阶段)
HIGH_SCHOOL_END_AGE = 19
#: the elderly of the eldercare bed ratios (民政部's 每千名老年人: aged 60 and over), the beds' base at the start
ELDERLY_AGE = 60
#: eldercare demand: residents aged 80 and over seek a bed at the take-up rate (``behaviour.services``)
ELDERCARE_AGE = 80
